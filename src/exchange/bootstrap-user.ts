// The console's first admin user, made when the exchange has none (a first start, or the first
// start after an upgrade that brought the console), in the first org. Like the bootstrap API
// client: from the environment when set, otherwise generated and shown once.
import type { Stores } from './store/types.js';
import { hashSecret, randomToken } from './auth/secrets.js';

export interface UserBootstrapResult {
  created: boolean;
  username?: string;
  /** Set only when generated here, so the caller can print it once. */
  generatedPassword?: string;
  origin: 'environment' | 'generated' | 'existing';
}

export const MIN_PASSWORD = 12;

export function checkBootstrapPassword(env: NodeJS.ProcessEnv): void {
  const given = env.THREATLINK_BOOTSTRAP_PASSWORD;
  if (given !== undefined && given.length < MIN_PASSWORD) {
    throw new Error(`THREATLINK_BOOTSTRAP_PASSWORD: must be at least ${MIN_PASSWORD} characters`);
  }
}

export async function bootstrapUser(stores: Stores, env: NodeJS.ProcessEnv): Promise<UserBootstrapResult> {
  if ((await stores.users.count()) > 0) return { created: false, origin: 'existing' };
  const org = (await stores.orgs.list())[0];
  if (!org) throw new Error('bootstrapUser: no org yet (bootstrap makes the first one)');
  checkBootstrapPassword(env);
  const given = env.THREATLINK_BOOTSTRAP_PASSWORD;
  const username = env.THREATLINK_BOOTSTRAP_USER || 'admin';
  const password = given ?? randomToken(18);
  await stores.users.create({ org_id: org.id, username, role: 'admin', passwordHash: await hashSecret(password) });
  return given !== undefined
    ? { created: true, username, origin: 'environment' }
    : { created: true, username, generatedPassword: password, origin: 'generated' };
}
