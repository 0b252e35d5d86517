import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RefreshTokenCodec } from '../domain/sessions/session.js';

const SESSION_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `<session id>.<secret>.<tag>`; tokens issued before the tag have no third part and are still read. */
const SHAPE = new RegExp(`^(${SESSION_ID})\\.([A-Za-z0-9_-]{43})(?:\\.([A-Za-z0-9_-]{43}))?$`);

/**
 * `<session id>.<32 random bytes>.<HMAC-SHA256 of the two>`, stored only as its SHA-256 (full entropy, so no
 * salt is needed). The tag, under a key derived from KITH_KEY_ENCRYPTION_KEY, tells a token Kith issued
 * from one made up around a session id (which every access token carries as `sid`): only the first can
 * be reuse of a rotated token, which ends the session.
 */
export function createRefreshTokenCodec(encryptionSecret: string): RefreshTokenCodec {
  const key = Buffer.from(hkdfSync('sha256', encryptionSecret, 'kith', 'kith refresh-token tag v1', 32));
  const tagOf = (body: string) => createHmac('sha256', key).update(body).digest();
  return {
    generate(sessionId) {
      const body = `${sessionId}.${randomBytes(32).toString('base64url')}`;
      return `${body}.${tagOf(body).toString('base64url')}`;
    },
    read(token) {
      const [, sessionId, secret, tag] = SHAPE.exec(token) ?? [];
      if (!sessionId) return null;
      if (tag === undefined) return { sessionId, issuedByKith: false };
      // Compared as text, so only one spelling of the tag passes (base64url's last character has spare bits).
      const valid = timingSafeEqual(Buffer.from(tag), Buffer.from(tagOf(`${sessionId}.${secret}`).toString('base64url')));
      return valid ? { sessionId, issuedByKith: true } : null;
    },
    hash: (token) => createHash('sha256').update(token).digest('base64url'),
  };
}
