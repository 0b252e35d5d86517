import { createHash, randomBytes } from 'node:crypto';
import type { RefreshTokenCodec } from '../domain/sessions/session.js';

/** Refresh tokens: 32 random bytes, stored only as their SHA-256 (they carry full entropy, so no salt). */
export const refreshTokenCodec: RefreshTokenCodec = {
  generate: () => randomBytes(32).toString('base64url'),
  hash: (token) => createHash('sha256').update(token).digest('base64url'),
};
