import type { ResponsePart } from '../part.js';

export const irohPart: ResponsePart = {
  name: 'iroh',
};
