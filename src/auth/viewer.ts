import { createHash, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { unauthenticated } from '../domain/errors.js';
import type { AccessClaims } from './access-tokens.js';

/** Who is asking. Agents, administrators and service clients join this union later. */
export type Viewer =
  | { role: 'PUBLIC' }
  | { role: 'OPERATOR' }
  | { role: 'CUSTOMER'; customerId: string; sessionId: string; authTime: Date; acr: string; amr: string[] };

const PUBLIC: Viewer = Object.freeze({ role: 'PUBLIC' });
const OPERATOR: Viewer = Object.freeze({ role: 'OPERATOR' });

const digest = (value: string) => createHash('sha256').update(value).digest();
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface ViewerResolverOptions {
  operatorKey: string | null;
  /** Verifies an access token (signature, iss, aud, typ, expiry). */
  verifyAccessToken?: (token: string) => Promise<AccessClaims>;
  /** Whether the token's session is still active: revocation takes effect on the next request. */
  sessionIsActive?: (sessionId: string, customerId: string) => Promise<boolean>;
}

/**
 * Builds the function that turns an Authorization header into a Viewer; the same function will serve
 * WebSocket connection params. No header: PUBLIC; an empty one is a failed credential like any other.
 * A header that is not a valid credential is UNAUTHENTICATED, never served as the public.
 * The operator key and malformed headers are answered at once; an access token needs its signature
 * and its session checked, so that answer is a promise.
 */
export function createViewerResolver(options: ViewerResolverOptions) {
  const operatorDigest = options.operatorKey ? digest(options.operatorKey) : null;

  async function customer(token: string): Promise<Viewer> {
    let claims: AccessClaims;
    try {
      claims = await options.verifyAccessToken!(token);
    } catch {
      throw unauthenticated('The access token is not valid: refresh it or sign in again.');
    }
    if (!(await options.sessionIsActive!(claims.sessionId, claims.customerId))) {
      throw unauthenticated('The session has ended: sign in again.');
    }
    return { role: 'CUSTOMER', ...claims };
  }

  return function resolveViewer(authorization: string | undefined): Viewer | Promise<Viewer> {
    if (authorization === undefined) return PUBLIC;
    // The scheme name is case-insensitive (RFC 7235 section 2.1).
    const match = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(authorization);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    const token = match[1]!;
    if (operatorDigest && token.length <= 512 && timingSafeEqual(digest(token), operatorDigest)) return OPERATOR;
    if (JWT_SHAPE.test(token) && options.verifyAccessToken && options.sessionIsActive) return customer(token);
    throw unauthenticated('The bearer token is not valid.');
  };
}

export function actorOf(viewer: Viewer): Actor {
  switch (viewer.role) {
    case 'OPERATOR':
      return { kind: 'operator' };
    case 'CUSTOMER':
      return { kind: 'customer', id: viewer.customerId };
    case 'PUBLIC':
      return { kind: 'public' };
  }
}
