import type { Role } from '../store/types.js';

/** Who is calling: resolved from a bearer token; every org-owned read and write uses org_id. */
export interface Principal {
  org_id: string;
  client_id: string;
  role: Role;
}

const RANK: Record<Role, number> = { 'read-only': 0, analyst: 1, admin: 2 };

export function hasRole(p: Principal, needed: Role): boolean {
  return RANK[p.role] >= RANK[needed];
}
