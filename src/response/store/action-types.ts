// Device response actions (block / unblock) and their per-device delivery. Filled in by the devices work.
export interface DeviceActionStore {
  readonly kind: "actions";
}
