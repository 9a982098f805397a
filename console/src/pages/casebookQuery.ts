// The Casebooks page's data: the CTIA casebook shape, its paths, and the address's open casebook.
import { BASE } from '../nav';
import type { Observable } from './incidentsQuery';

export interface CasebookText { type: string; text: string }

export interface Casebook {
  id: string;
  title?: string;
  description?: string;
  observables?: Observable[];
  texts?: CasebookText[];
  owner?: string;
  modified?: string;
}

/** The casebook's short id (casebook-<uuid>), what its address and the API paths use. */
export const casebookId = (id: string) => id.slice(id.lastIndexOf('/') + 1);

export const casebookPath = (id: string) => `/ctia/casebook/${encodeURIComponent(casebookId(id))}`;

/** The casebook an address names: /console/casebooks/{id}. */
export function openCasebookFrom(pathname: string): string | null {
  const prefix = `${BASE}casebooks/`;
  const rest = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : '';
  return rest ? decodeURIComponent(rest.split('/')[0] ?? '') : null;
}

export const titleOf = (c: Casebook) => c.title?.trim() || 'Untitled casebook';
