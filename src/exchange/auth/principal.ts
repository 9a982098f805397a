import type { Role } from '../store/types.js';

/** Who is calling: resolved from a bearer token or a console session; every org-owned read and
 * write uses org_id. */
export interface Principal {
  org_id: string;
  /** Who acts, as owners, authors and assignees record it: the API client's id, or
   * `user:<name>` for a console user. */
  client_id: string;
  role: Role;
  /** Set for a console user. */
  user_id?: string;
}

const RANK: Record<Role, number> = { 'read-only': 0, analyst: 1, admin: 2 };

export function hasRole(p: Principal, needed: Role): boolean {
  return RANK[p.role] >= RANK[needed];
}
