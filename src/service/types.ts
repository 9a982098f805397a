// What every manager answers, so `--json` has one shape whichever manager runs the service.
import type { ServiceName } from './targets.js';

export type ManagerName = 'systemd' | 'pidfile';

export interface ServiceStatus {
  service: ServiceName;
  manager: ManagerName;
  /** unknown: this user may not read what would tell (the pid file). */
  state: 'running' | 'stopped' | 'unknown';
  /** False once disabled: nothing starts it again until `enable`. */
  enabled: boolean;
  pid: number | null;
  since: string | null;
  /** systemd: the unit; pidfile: the pid file and the disable marker. */
  unit?: string;
  pid_file?: string;
  marker?: string;
  log?: string;
  detail?: string;
}

export interface ActionResult {
  service: ServiceName;
  manager: ManagerName;
  action: 'enable' | 'disable' | 'restart';
  /** One line per step, as the command prints them. */
  steps: string[];
  status: ServiceStatus;
}

export interface ActionOptions {
  /** Grace period between SIGTERM and SIGKILL. */
  stopTimeoutMs: number;
  /** How long a start may take to become ready. */
  startTimeoutMs: number;
}

export interface Manager {
  name: ManagerName;
  status(): Promise<ServiceStatus>;
  enable(o: ActionOptions): Promise<ActionResult>;
  disable(o: ActionOptions): Promise<ActionResult>;
  restart(o: ActionOptions): Promise<ActionResult>;
}
