// Module instances as /iroh/iroh-int/module_instance shows them (never with their auth secret),
// and a health check of one of them.
import { ApiFailure, get, send } from '../api';

export type AuthType = 'none' | 'hs256' | 'configuration-token';

export interface ModuleInstance {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  url?: string;
  auth: { type: AuthType };
  settings: Record<string, unknown>;
  timeout_ms: number;
  module_type_id: string;
  builtin?: boolean;
  created_at: string;
  updated_at: string;
}

export const MODULES_PATH = '/iroh/iroh-int/module_instance';
export const modulePath = (id: string) => `${MODULES_PATH}/${encodeURIComponent(id)}`;

export const AUTH_TYPES: ReadonlyArray<{ value: AuthType; label: string }> = [
  { value: 'none', label: 'None' },
  { value: 'hs256', label: 'HS256 shared key' },
  { value: 'configuration-token', label: 'Configuration token (RS256, signed by threatlink)' },
];

export type Health = { ok: true; data: Record<string, unknown> } | { ok: false; message: string };

interface HealthAnswer {
  data: Array<{ module_instance_id: string; data: Record<string, unknown> }>;
  errors: Array<{ module_instance_id: string; code?: string; message?: string }>;
}

/** Asks one enabled instance for its health; a refusal or module error comes back as a message. */
export async function checkHealth(id: string): Promise<Health> {
  try {
    const r = await send<HealthAnswer>('POST', `/iroh/iroh-enrich/health/${encodeURIComponent(id)}`);
    const ok = r.data.find((d) => d.module_instance_id === id);
    if (ok) return { ok: true, data: ok.data };
    const e = r.errors.find((x) => x.module_instance_id === id);
    return { ok: false, message: e ? `${e.code ?? 'error'}: ${e.message ?? ''}` : 'the module did not answer' };
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return { ok: false, message: 'not checked: the module is disabled' };
    return { ok: false, message: (err as Error).message };
  }
}

/** Reads a feed's source again now (admins), answering with its health. */
export async function refreshFeed(id: string): Promise<Health> {
  try {
    return { ok: true, data: await send<Record<string, unknown>>('POST', `/iroh/iroh-int/module_instance/${encodeURIComponent(id)}/refresh`) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** The server's directory of files feeds may read (the enrich settings tell it to admins), or
 * null when the server does not say. */
export async function feedFilesDir(): Promise<string | null> {
  const r = await get<{ feed_files_dir?: string }>('/iroh/iroh-enrich/settings');
  return r.feed_files_dir ?? null;
}
