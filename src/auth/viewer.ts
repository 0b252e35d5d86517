import { createHash, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { unauthenticated } from '../domain/errors.js';

/** Who is asking. The next principals (customers, agents, administrators, service clients) join this union. */
export type Viewer = { role: 'PUBLIC' } | { role: 'OPERATOR' };

const PUBLIC: Viewer = Object.freeze({ role: 'PUBLIC' });
const OPERATOR: Viewer = Object.freeze({ role: 'OPERATOR' });

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Builds the function that turns an Authorization header into a Viewer; the same function will serve
 * WebSocket connection params. No header: PUBLIC; an empty one is a failed credential like any other. A header that is not a valid credential: UNAUTHENTICATED
 * (a client that meant to authenticate must learn that it failed, not be served as the public).
 */
export function createViewerResolver(options: { operatorKey: string | null }) {
  const operatorDigest = options.operatorKey ? digest(options.operatorKey) : null;
  return function resolveViewer(authorization: string | undefined): Viewer {
    if (authorization === undefined) return PUBLIC;
    // The scheme name is case-insensitive (RFC 7235 section 2.1).
    const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(authorization);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    if (operatorDigest && timingSafeEqual(digest(match[1]!), operatorDigest)) return OPERATOR;
    throw unauthenticated('The bearer token is not valid.');
  };
}

export function actorOf(viewer: Viewer): Actor {
  return viewer.role === 'OPERATOR' ? { kind: 'operator' } : { kind: 'public' };
}
