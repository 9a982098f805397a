// Console users as /console/api/users gives them (admins only).
import type { Role } from './clientApi';

export interface ConsoleUser {
  id: string;
  username: string;
  role: Role;
  created_at: string;
  last_login_at: string | null;
}

export const USERS_PATH = '/console/api/users';
export const userPath = (id: string) => `${USERS_PATH}/${encodeURIComponent(id)}`;
/** The server's minimum (src/exchange/bootstrap-user.ts), checked here too to say so sooner. */
export const MIN_PASSWORD = 12;
