// Which component draws which page. Adding a page touches nav.ts (its place in the menu) and
// this table.
import type { ComponentType } from 'react';
import type { SessionUser } from './api';
import { Devices } from './pages/Devices';
import { Events } from './pages/Events';
import { Investigate } from './pages/Investigate';
import { Incidents } from './pages/Incidents';
import { IncidentRules } from './pages/IncidentRules';
import { Casebooks } from './pages/Casebooks';
import { Modules } from './pages/Modules';
import { Feeds } from './pages/Feeds';
import { Clients } from './pages/Clients';
import { Doctor } from './pages/Doctor';
import { Users } from './pages/Users';

export type PageProps = { user: SessionUser };

export const PAGES: Record<string, ComponentType<PageProps>> = {
  devices: Devices,
  events: Events,
  investigate: Investigate,
  incidents: Incidents,
  'incident-rules': IncidentRules,
  casebooks: Casebooks,
  modules: Modules,
  feeds: Feeds,
  clients: Clients,
  doctor: Doctor,
  users: Users,
};
