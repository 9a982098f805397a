// First start: a first org with an admin API client. The credentials come from the environment
// when set, otherwise they are generated and shown once; only their hash is kept.
import type { Stores } from './store/types.js';
import { createOrgWithAdmin } from './orgs.js';
import { bootstrapUser, checkBootstrapPassword, type UserBootstrapResult } from './bootstrap-user.js';

export interface BootstrapResult {
  created: boolean;
  clientId?: string;
  /** Set only when generated here, so the caller can print it once. */
  generatedSecret?: string;
  origin: 'environment' | 'generated' | 'existing';
  /** The console's first admin user. */
  user: UserBootstrapResult;
}

/** Throws on bootstrap settings that cannot work, before anything is made: a start that fails
 * half-way would keep a generated secret it never showed. */
export function checkBootstrapEnv(env: NodeJS.ProcessEnv = process.env): void {
  const id = env.THREATLINK_BOOTSTRAP_CLIENT_ID;
  const secret = env.THREATLINK_BOOTSTRAP_CLIENT_SECRET;
  if (Boolean(id) !== Boolean(secret)) {
    throw new Error(`THREATLINK_BOOTSTRAP_CLIENT_ID and THREATLINK_BOOTSTRAP_CLIENT_SECRET go together: only ${id ? 'the id' : 'the secret'} is set`);
  }
  if (secret && secret.length < 12) throw new Error('THREATLINK_BOOTSTRAP_CLIENT_SECRET: must be at least 12 characters');
  checkBootstrapPassword(env);
}

/** Call once the server listens: what it generates is shown by the caller right after. */
export async function bootstrap(stores: Stores, env: NodeJS.ProcessEnv = process.env): Promise<BootstrapResult> {
  checkBootstrapEnv(env);
  const client = await bootstrapClient(stores, env);
  return { ...client, user: await bootstrapUser(stores, env) };
}

async function bootstrapClient(stores: Stores, env: NodeJS.ProcessEnv): Promise<Omit<BootstrapResult, 'user'>> {
  if ((await stores.orgs.list()).length > 0) return { created: false, origin: 'existing' };
  const id = env.THREATLINK_BOOTSTRAP_CLIENT_ID;
  const secret = env.THREATLINK_BOOTSTRAP_CLIENT_SECRET;
  const fromEnv = Boolean(id && secret);
  const made = await createOrgWithAdmin(stores, 'default', fromEnv ? { id: id as string, secret: secret as string } : undefined);
  return fromEnv
    ? { created: true, clientId: made.clientId, origin: 'environment' }
    : { created: true, clientId: made.clientId, generatedSecret: made.clientSecret, origin: 'generated' };
}
