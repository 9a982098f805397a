// Every part of response, in registration order.
import type { ResponsePart } from './part.js';
import { irohPart } from './api/iroh.js';

export const RESPONSE_PARTS: readonly ResponsePart[] = [
  irohPart,
];
