// Connectors running inside this process (`threatlink up --demo`). For a device elsewhere the
// exchange knows only what its heartbeats say, which is not the config it reads; one in here can
// be asked, so the console names its real config file and how to restart it.

/** The part of a connector's local API snapshot (GET /v1/contexts/default) read here. */
export interface LocalConnector {
  snapshot(): { config_file: string; embedded_in: string | null; registration: { device_id: string | null } };
}

/** What the connector says of itself, as the diagnosis API passes it on. */
export interface LocalConnectorFacts {
  config_file: string;
  embedded_in: string | null;
}

export class LocalConnectors {
  private readonly running = new Set<LocalConnector>();

  /** Returns the call that forgets it, for when it stops. */
  add(c: LocalConnector): () => void {
    this.running.add(c);
    return () => { this.running.delete(c); };
  }

  /** Looked up by the device it is enrolled as now: enrolling it again makes it another device. */
  of(deviceId: string): LocalConnectorFacts | null {
    for (const c of this.running) {
      const s = c.snapshot();
      if (s.registration.device_id === deviceId) return { config_file: s.config_file, embedded_in: s.embedded_in };
    }
    return null;
  }
}
