// Which manager runs a service here: systemd when it is init, else the pid file. The pid-file
// manager needs the service's files (from its config), systemd only the unit name, so the
// config is read only when it is needed.
import { pidfileManager } from './pidfile-manager.js';
import { systemdManager, systemdPresent } from './systemd.js';
import { UNITS, type ServiceName, type Target } from './targets.js';
import type { Manager, ManagerName } from './types.js';

export type ManagerChoice = ManagerName | 'auto';

export function resolveManager(choice: ManagerChoice): ManagerName {
  return choice === 'auto' ? (systemdPresent() ? 'systemd' : 'pidfile') : choice;
}

export function managerFor(name: ServiceName, target: () => Target, choice: ManagerChoice = 'auto'): Manager {
  return resolveManager(choice) === 'systemd' ? systemdManager({ name, unit: UNITS[name] }) : pidfileManager(target());
}
