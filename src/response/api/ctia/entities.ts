// One spec per CTIA entity the API serves: its fields, which the caller must give
// (interfaces.md §5, less id, type and schema_version, which the server fills), and how its
// defaults and derived fields are filled. Serving another entity is one more spec here (and its
// name in CTIA_ENTITY_TYPES); the routes are generic.
import type { SchemaObject } from 'ajv';
import { dispositionFromName, dispositionName, END_OF_TIME, type Disposition } from '../../../ctim/index.js';
import { ApiError } from '../../../exchange/api/errors.js';
import type { CtiaEntityType } from '../../store/ctia-types.js';
import * as s from './schemas.js';

type Doc = Record<string, unknown>;

export interface EntitySpec {
  type: CtiaEntityType;
  required: string[];
  properties: Record<string, SchemaObject>;
  /** Defaults and derived fields, after the schema passed; throws ApiError on fields that
   * contradict one another. */
  realize?(doc: Doc, now: string): void;
}

/** CTIM's incident statuses (the older set, then the newer "Group: Detail" ones). */
export const INCIDENT_STATUSES = [
  'New', 'Open', 'Stalled', 'Containment Achieved', 'Restoration Achieved', 'Incident Reported', 'Closed', 'Rejected',
  'New: Processing', 'New: Presented', 'Open: Investigating', 'Open: Reported', 'Open: Contained', 'Open: Recovered',
  'Hold', 'Hold: Internal', 'Hold: External', 'Hold: Legal',
  'Closed: Under Review', 'Closed: Confirmed Threat', 'Closed: Suspected', 'Closed: False Positive', 'Closed: Near-Miss',
  'Closed: Merged', 'Closed: Other',
] as const;

/** A missing validity starts now and never ends (interfaces.md §5); an empty one is refused. */
function realizeValidTime(type: string, doc: Doc, now: string): void {
  const vt = { ...((doc.valid_time as { start_time?: string; end_time?: string } | undefined) ?? {}) };
  vt.start_time ??= now;
  vt.end_time ??= END_OF_TIME;
  if (Date.parse(vt.end_time) <= Date.parse(vt.start_time)) {
    throw new ApiError('bad_request', `${type}.valid_time: end_time (${vt.end_time}) must be after start_time (${vt.start_time})`);
  }
  doc.valid_time = vt;
}

const judgement: EntitySpec = {
  type: 'judgement',
  required: ['observable', 'source', 'priority', 'confidence', 'severity'],
  properties: {
    observable: s.observable,
    disposition: s.dispositionNumber,
    disposition_name: s.dispositionName,
    priority: { type: 'integer', minimum: 0, maximum: 100 },
    confidence: s.confidence,
    severity: s.severity,
    valid_time: s.validTime,
    reason: s.str(),
    reason_uri: s.str(),
  },
  // Either disposition word or number will do; the other is derived, and both must agree.
  realize(doc, now) {
    const n = doc.disposition as Disposition | undefined;
    const name = doc.disposition_name as string | undefined;
    if (n === undefined && name === undefined) {
      throw new ApiError('bad_request', 'judgement: disposition (1 Clean, 2 Malicious, 3 Suspicious, 4 Common, 5 Unknown) or disposition_name is required');
    }
    const num = n ?? dispositionFromName(name!)!;
    if (name !== undefined && dispositionFromName(name) !== num) {
      throw new ApiError('bad_request', `judgement.disposition_name: "${name}" contradicts disposition ${num} (${dispositionName(num)})`);
    }
    doc.disposition = num;
    doc.disposition_name = dispositionName(num);
    realizeValidTime('judgement', doc, now);
  },
};

const sighting: EntitySpec = {
  type: 'sighting',
  required: ['count', 'confidence', 'observed_time'],
  properties: {
    count: { type: 'integer', minimum: 0 },
    confidence: s.confidence,
    observed_time: s.observedTime,
    observables: s.observables(),
    targets: { type: 'array', maxItems: 1000, items: s.target },
    relations: { type: 'array', maxItems: 10_000, items: s.relation },
    severity: s.severity,
    internal: { type: 'boolean' },
    sensor: s.str(256),
    resolution: s.str(256),
    data: s.anyObject,
    sensor_coordinates: s.anyObject,
  },
};

const indicator: EntitySpec = {
  type: 'indicator',
  required: ['producer'],
  properties: {
    producer: s.nonEmpty(1024),
    valid_time: s.validTime,
    indicator_type: s.strList(),
    tags: s.strList(),
    confidence: s.confidence,
    severity: s.severity,
    negate: { type: 'boolean' },
    likely_impact: s.str(),
    kill_chain_phases: { type: 'array', maxItems: 100, items: s.anyObject },
    composite_indicator_expression: s.anyObject,
    specification: s.anyObject,
    test_mechanisms: s.strList(),
  },
  realize: (doc, now) => realizeValidTime('indicator', doc, now),
};

const relationship: EntitySpec = {
  type: 'relationship',
  required: ['relationship_type', 'source_ref', 'target_ref'],
  properties: {
    relationship_type: s.nonEmpty(256),
    source_ref: s.nonEmpty(1024),
    target_ref: s.nonEmpty(1024),
  },
};

const incident: EntitySpec = {
  type: 'incident',
  required: ['confidence', 'status', 'incident_time'],
  properties: {
    confidence: s.confidence,
    status: { enum: [...INCIDENT_STATUSES] },
    incident_time: {
      type: 'object',
      required: ['opened'],
      additionalProperties: false,
      properties: { opened: s.time, discovered: s.time, reported: s.time, remediated: s.time, closed: s.time, rejected: s.time },
    },
    assignees: { ...s.strList(), uniqueItems: true },
    severity: s.severity,
    categories: s.strList(),
    discovery_method: s.str(256),
    intended_effect: s.str(256),
    promotion_method: s.str(256),
    tactics: s.strList(),
    techniques: s.strList(),
    scores: { type: 'object', additionalProperties: { type: 'number' } },
    notes: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['text', 'author', 'time'],
        additionalProperties: false,
        properties: { text: s.nonEmpty(64 * 1024), author: s.nonEmpty(256), time: s.time },
      },
    },
  },
};

const casebook: EntitySpec = {
  type: 'casebook',
  required: [],
  properties: {
    observables: s.observables(),
    texts: { type: 'array', maxItems: 10_000, items: s.text },
    bundle: s.anyObject,
  },
};

export const ENTITY_SPECS: readonly EntitySpec[] = [incident, casebook, sighting, judgement, indicator, relationship];

export function entitySchema(spec: EntitySpec): SchemaObject {
  return {
    type: 'object',
    required: spec.required,
    additionalProperties: false,
    properties: { ...s.baseProperties, ...spec.properties },
  };
}
