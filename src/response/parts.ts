// Every part of response, in registration order.
import type { ResponsePart } from './part.js';
import { irohPart } from './api/iroh.js';
import { investigatePart } from './api/investigate.js';
import { jwksPart } from './api/jwks.js';
import { ctiaPart } from './api/ctia/index.js';
import { feedsPart } from './modules/feeds/part.js';
import { devicesPart } from './modules/devices/part.js';
import { incidentsPart } from './incidents/part.js';

export const RESPONSE_PARTS: readonly ResponsePart[] = [
  irohPart,
  investigatePart,
  jwksPart,
  ctiaPart,
  feedsPart,
  devicesPart,
  incidentsPart,
];
