// GET /.well-known/jwks: the public half of threatlink's token signing key. Relay modules that
// take configuration tokens fetch it, without credentials, to check our RS256 signatures.
import type { ResponsePart } from '../part.js';
import { signingKey } from '../jwks/signing-key.js';

const schema = {
  response: {
    200: {
      type: 'object',
      required: ['keys'],
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kty', 'n', 'e', 'kid', 'alg', 'use'],
            properties: { kty: { type: 'string' }, n: { type: 'string' }, e: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { type: 'string' } },
          },
        },
      },
    },
  },
};

export const jwksPart: ResponsePart = {
  name: 'jwks',
  async routes(app, rc) {
    app.get('/.well-known/jwks', { schema }, async () => {
      const key = await signingKey(rc.dataDir);
      return { keys: [key.publicJwk] };
    });
  },
  async start(rc) {
    // Made or read before the server listens, so a bad key file stops startup with its path.
    const key = await signingKey(rc.dataDir);
    rc.log.debug({ kid: key.kid }, 'token signing key loaded');
  },
};
