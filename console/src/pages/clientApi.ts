// API clients and registration tokens as /api/v1/clients and /api/v1/tokens give them.
export type Role = 'admin' | 'analyst' | 'read-only';
export const ROLES: readonly Role[] = ['read-only', 'analyst', 'admin'];

export interface ApiClient {
  id: string;
  name: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
}

export interface RegistrationToken {
  id: string;
  device_id: string | null;
  service_type: string[];
  created_at: string;
  expires_at: string;
  uses_allowed: number;
  uses: number;
  revoked: boolean;
}

export const CLIENTS_PATH = '/api/v1/clients';
export const TOKENS_PATH = '/api/v1/tokens';
