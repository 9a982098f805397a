// A device as every store answers for it the moment it is registered, whatever the backend.
import type { Device } from './types.js';

export type NewDevice = Pick<Device, 'id' | 'org_id' | 'name' | 'hostname' | 'version' | 'service_type'>;

export function newDevice(d: NewDevice, now: string): Device {
  return {
    id: d.id, org_id: d.org_id, name: d.name, hostname: d.hostname, version: d.version, service_type: d.service_type,
    registered_at: now, last_seen: null, connection_state: 'never', state_since: now, remote_address: null,
    events_received: 0, events_rejected: 0, last_error: null, cloud_events: true, status: null,
  };
}
