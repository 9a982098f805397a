// A module kind: how to check an instance's settings and how to build the module for it.
// Adding a kind is one file plus one line in kinds.ts.
import type { Module, ModuleInstance } from '../module.js';
import type { ResponseContext } from '../context.js';

export interface ModuleKind {
  /** The `kind` field of an instance. */
  readonly kind: string;
  /** Shown as `module_type_id` in enrich answers. */
  readonly typeId: string;
  readonly description: string;
  /** Built-in kinds have one instance per org, made by the server, always on. */
  readonly builtin?: boolean;
  /** Throws a ModuleConfigError naming the field when the instance cannot work, or may not
   * do what it asks on this server. */
  validate?(m: ModuleInstance, rc: ResponseContext): void;
  create(m: ModuleInstance, rc: ResponseContext): Module;
}

/** A module instance whose settings are wrong; `field` names which. */
export class ModuleConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}
