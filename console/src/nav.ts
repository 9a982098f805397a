// The console's pages, in navigation order. Paths are under /console/.
export interface NavItem {
  path: string;
  label: string;
  /** Shown only to admins: the API answers these pages to admins alone. */
  adminOnly?: boolean;
}

export const NAV: readonly NavItem[] = [
  { path: 'devices', label: 'Devices' },
  { path: 'events', label: 'Events' },
  { path: 'investigate', label: 'Investigate' },
  { path: 'incidents', label: 'Incidents' },
  { path: 'incident-rules', label: 'Incident rules' },
  { path: 'casebooks', label: 'Casebooks' },
  { path: 'modules', label: 'Modules' },
  { path: 'feeds', label: 'Feeds' },
  { path: 'clients', label: 'API clients', adminOnly: true },
  { path: 'doctor', label: 'Doctor' },
  { path: 'users', label: 'Users', adminOnly: true },
];

export const BASE = '/console/';

/** What an address under /console/ names when it is no page: the server answers every such
 * address with the app, so saying so is the app's job. */
export const NOT_FOUND: NavItem = { path: '', label: 'Page not found' };

/** The page the browser's address names: Devices for the console's own address, NOT_FOUND for
 * a name no page has. */
export function pageOf(pathname: string): NavItem {
  const name = pathname.startsWith(BASE) ? pathname.slice(BASE.length).split('/')[0] : '';
  if (!name) return NAV[0] as NavItem;
  return NAV.find((n) => n.path === name) ?? NOT_FOUND;
}
