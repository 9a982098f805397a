// Validates CTIA request bodies ourselves rather than by route schema: a PATCH is checked after
// it is merged into the stored entity, and every error should read the same way, naming the
// field as a path ("sighting: observed_time.start_time is required").
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { ApiError } from '../../../exchange/api/errors.js';

const ajv = new Ajv({ allErrors: false, removeAdditional: false, coerceTypes: false });
ajvFormats.default(ajv, ['date-time']);
const compiled = new WeakMap<SchemaObject, ValidateFunction>();

function pathOf(instancePath: string): string {
  return instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
}

function describe(what: string, e: ErrorObject): string {
  const at = pathOf(e.instancePath);
  const field = (name: string) => [at, name].filter(Boolean).join('.');
  switch (e.keyword) {
    case 'required': return `${what}: ${field(String(e.params.missingProperty))} is required`;
    case 'additionalProperties': return `${what}: ${field(String(e.params.additionalProperty))} is not a field of ${at ? `${at} in ` : ''}a ${what}`;
    case 'enum': return `${what}.${at}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format': return `${what}.${at}: must be an ISO-8601 time with a time zone (2024-05-01T10:00:00Z)`;
    default: return `${what}${at ? `.${at}` : ''}: ${e.message ?? 'is not valid'}`;
  }
}

/** Throws ApiError bad_request naming the first field that fails. `what` names the body
 * (`incident`, `casebook observables`…). */
export function check(schema: SchemaObject, value: unknown, what: string): void {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(schema)));
  if (!v(value)) throw new ApiError('bad_request', describe(what, v.errors![0]!));
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
