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

/** The page the browser's address names; Devices when it names none we know. */
export function pageOf(pathname: string): NavItem {
  const name = pathname.startsWith(BASE) ? pathname.slice(BASE.length).split('/')[0] : '';
  return NAV.find((n) => n.path === name) ?? (NAV[0] as NavItem);
}
