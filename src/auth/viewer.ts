import type { Actor } from '../domain/actor.js';
import { unauthenticated } from '../domain/errors.js';
import type { Scope } from '../domain/principals/service-client.js';
import type { AccessClaims } from './access-tokens.js';

/** Who is asking. */
export type Viewer =
  | { role: 'PUBLIC' }
  | { role: 'CUSTOMER'; customerId: string; sessionId: string; authTime: Date; acr: string; amr: string[] }
  | { role: 'AGENT' | 'ADMIN'; staffId: string; mfa: boolean }
  | { role: 'SERVICE_CLIENT'; id: string; clientId: string; scopes: readonly Scope[]; purposeKey: string | null };

export type ViewerRole = Viewer['role'];

const PUBLIC: Viewer = Object.freeze({ role: 'PUBLIC' });
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface ViewerResolverOptions {
  /** Verifies an access token (signature, iss, aud, typ, expiry) and says whom it was issued to. */
  verifyAccessToken: (token: string) => Promise<AccessClaims>;
  /**
   * The principal behind verified claims as it is now: the customer's session still active, the staff member
   * or client still enabled at the token's version. Null ends the token at once (revocation).
   */
  loadPrincipal: (claims: AccessClaims) => Promise<Viewer | null>;
}

/**
 * Builds the function that turns an Authorization header into a Viewer; the same function will serve
 * WebSocket connection params. No header: PUBLIC; an empty one is a failed credential like any other.
 * A header that is not a valid credential is UNAUTHENTICATED, never served as the public.
 */
export function createViewerResolver(options: ViewerResolverOptions) {
  async function principal(token: string): Promise<Viewer> {
    let claims: AccessClaims;
    try {
      claims = await options.verifyAccessToken(token);
    } catch {
      throw unauthenticated('The access token is not valid: refresh it or sign in again.');
    }
    const viewer = await options.loadPrincipal(claims);
    if (!viewer) throw unauthenticated('The token was revoked or its session has ended: sign in again.');
    return viewer;
  }

  return function resolveViewer(authorization: string | undefined): Viewer | Promise<Viewer> {
    if (authorization === undefined) return PUBLIC;
    // The scheme name is case-insensitive (RFC 7235 section 2.1).
    const match = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(authorization);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    if (JWT_SHAPE.test(match[1]!)) return principal(match[1]!);
    throw unauthenticated('The bearer token is not valid.');
  };
}

/**
 * KITH_STAFF_MFA=required: a staff token from a sign-in without a TOTP code is served as the public, so
 * nothing treats it as staff (no rule, no actor check). It names its staff member apart, for the few
 * things such a token may do: enrol a TOTP, see itself in that mutation's payload, sign out.
 */
export function underStaffMfaPolicy(viewer: Viewer, required: boolean): { viewer: Viewer; staffWithoutTotp?: string } {
  if (!required || (viewer.role !== 'AGENT' && viewer.role !== 'ADMIN') || viewer.mfa) return { viewer };
  return { viewer: PUBLIC, staffWithoutTotp: viewer.staffId };
}

export function actorOf(viewer: Viewer): Actor {
  switch (viewer.role) {
    case 'CUSTOMER':
      return { kind: 'customer', id: viewer.customerId };
    case 'AGENT':
    case 'ADMIN':
      return { kind: 'staff', id: viewer.staffId, role: viewer.role };
    case 'SERVICE_CLIENT':
      return { kind: 'client', id: viewer.clientId };
    case 'PUBLIC':
      return { kind: 'public' };
  }
}
