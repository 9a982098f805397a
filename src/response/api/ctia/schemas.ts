// JSON Schema pieces CTIM entities share (interfaces.md §5): observables, times, the confidence
// words. Entities (entities.ts) are assembled from these, so a field means one thing everywhere.
import type { SchemaObject } from 'ajv';
import { CONFIDENCES, DISPOSITIONS } from '../../../ctim/index.js';

export const str = (max = 4096): SchemaObject => ({ type: 'string', maxLength: max });
export const nonEmpty = (max = 4096): SchemaObject => ({ type: 'string', minLength: 1, maxLength: max });
export const strList = (max = 1000): SchemaObject => ({ type: 'array', maxItems: max, items: nonEmpty(1024) });
export const time: SchemaObject = { type: 'string', format: 'date-time' };
export const anyObject: SchemaObject = { type: 'object' };

export const confidence: SchemaObject = { enum: [...CONFIDENCES] };
/** CTIM severity takes the confidence words. */
export const severity: SchemaObject = confidence;
export const dispositionNumber: SchemaObject = { type: 'integer', enum: Object.keys(DISPOSITIONS).map(Number) };
export const dispositionName: SchemaObject = { enum: Object.values(DISPOSITIONS) };

export const observable: SchemaObject = {
  type: 'object',
  required: ['type', 'value'],
  additionalProperties: false,
  properties: { type: nonEmpty(64), value: nonEmpty(8192) },
};
export const observables = (max = 10_000): SchemaObject => ({ type: 'array', maxItems: max, items: observable });

export const validTime: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: { start_time: time, end_time: time },
};
export const observedTime: SchemaObject = {
  type: 'object',
  required: ['start_time'],
  additionalProperties: false,
  properties: { start_time: time, end_time: time },
};

export const relation: SchemaObject = {
  type: 'object',
  required: ['origin', 'relation', 'source', 'related'],
  additionalProperties: false,
  properties: { origin: nonEmpty(1024), origin_uri: str(), relation: nonEmpty(256), relation_info: anyObject, source: observable, related: observable },
};

export const target: SchemaObject = {
  type: 'object',
  required: ['type', 'observables', 'observed_time'],
  additionalProperties: false,
  properties: { type: nonEmpty(256), observables: observables(1000), observed_time: observedTime, os: str(1024), properties_data_table: anyObject },
};

export const text: SchemaObject = {
  type: 'object',
  required: ['type', 'text'],
  additionalProperties: false,
  properties: { type: nonEmpty(256), text: { type: 'string', maxLength: 1024 * 1024 } },
};

/** Fields every entity may carry. created, modified and owner are the server's: accepted so a
 * GET answer can be PUT back, then overwritten. */
export const baseProperties: Record<string, SchemaObject> = {
  id: nonEmpty(1024),
  type: nonEmpty(64),
  schema_version: str(64),
  revision: { type: 'integer', minimum: 0 },
  external_ids: strList(),
  external_references: { type: 'array', maxItems: 1000, items: anyObject },
  timestamp: time,
  language: str(64),
  tlp: { enum: ['white', 'green', 'amber', 'red'] },
  source: str(),
  source_uri: str(),
  title: str(1024),
  short_description: str(2048),
  description: str(1024 * 1024),
  created: time,
  modified: time,
  owner: str(),
  groups: strList(),
};
