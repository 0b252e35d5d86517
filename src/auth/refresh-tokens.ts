import { createHash, randomBytes } from 'node:crypto';
import type { RefreshTokenCodec } from '../domain/sessions/session.js';

const SHAPE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/;

/** `<session id>.<32 random bytes>`, stored only as its SHA-256 (full entropy, so no salt is needed). */
export const refreshTokenCodec: RefreshTokenCodec = {
  generate: (sessionId) => `${sessionId}.${randomBytes(32).toString('base64url')}`,
  sessionOf: (token) => SHAPE.exec(token)?.[1] ?? null,
  hash: (token) => createHash('sha256').update(token).digest('base64url'),
};
