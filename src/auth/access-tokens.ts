import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../domain/clock.js';
import type { ClientTokenIssuer } from '../domain/principals/service-client.js';
import type { StaffTokenIssuer } from '../domain/principals/staff.js';
import type { AccessTokenIssuer } from '../domain/sessions/session.js';
import { afterProof, MFA_ACR } from '../domain/sessions/step-up.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';

/** What a verified customer access token says. */
export interface CustomerClaims {
  kind: 'customer';
  customerId: string;
  sessionId: string;
  authTime: Date;
  acr: string;
  amr: string[];
}

/** A staff token: the role it states is informational, each request reads the current one. */
export interface StaffClaims {
  kind: 'staff';
  staffId: string;
  /** The staff member's token version at issue: a bump (sign-out, disabling) ends the token. */
  tokenVersion: number;
  /** Whether the sign-in behind it included a TOTP code (acr `mfa`). */
  mfa: boolean;
}

/** A staff sign-in's acr and amr: the password, then the TOTP code when `mfa`. */
function staffProof(mfa: boolean): { acr: string; amr: string[] } {
  const password = afterProof({ amr: [] }, 'password');
  return mfa ? afterProof(password, 'totp') : password;
}

/** A client-credentials token (RFC 9068: sub and client_id are the client, scope the granted scopes). */
export interface ClientClaims {
  kind: 'client';
  clientId: string;
  scopes: string[];
  tokenVersion: number;
}

/** What a verified access token says, by the kind of principal it was issued to. */
export type AccessClaims = CustomerClaims | StaffClaims | ClientClaims;

export interface AccessTokenOptions {
  signingKeys: SigningKeys;
  clock: Clock;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Lifetime of staff tokens (longer: each request checks the staff member, so revocation is still immediate). */
  staffTtlSeconds: number;
}

/** The `iat` of a JWS payload not verified yet, in milliseconds; null when there is none to read. */
function issuedAtMsOf(payload: string | Uint8Array): number | null {
  try {
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'base64url') : payload;
    const { iat } = JSON.parse(Buffer.from(bytes).toString('utf8')) as { iat?: unknown };
    return typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : null;
  } catch {
    return null;
  }
}

/** RFC 9068's media type for JWT access tokens, checked on the way in so no other JWT passes for one. */
const TYP = 'at+jwt';
/** Unknown kids reload the key set at most this often, so forged kids cannot hammer the database. */
const RELOAD_AFTER_MS = 1_000;
/** A token issued since the last load may reload the set sooner, but not more often than this. */
const RELOAD_FOR_NEWER_MS = 100;
/** The key set is reloaded at least this often, so a key withdrawn from the JWKS stops verifying. */
const KEY_SET_TTL_MS = 60_000;
/** Verified tokens remembered until they expire (the oldest forgotten first): a signature is checked once. */
const VERIFIED_CACHE_SIZE = 10_000;

export type AccessTokens = ReturnType<typeof createAccessTokens>;

/**
 * Access tokens are EdDSA JWTs (jose) with kid, iss, aud, sub, sid, iat, exp, jti, auth_time, acr and amr.
 * Verification pins the algorithm, issuer, audience and typ, and requires every claim Kith relies on.
 */
export function createAccessTokens(options: AccessTokenOptions) {
  const { signingKeys, clock } = options;
  /** The published keys as read by the load that started at `loadedAt`. */
  let keySet: { get: JWTVerifyGetKey; kids: ReadonlySet<string>; loadedAt: number } | null = null;
  /** The load under way, which every caller meanwhile shares; and when the last one started. */
  let loading: Promise<JWTVerifyGetKey> | null = null;
  let lastLoadStarted = Number.NEGATIVE_INFINITY;

  function load(): Promise<JWTVerifyGetKey> {
    if (loading) return loading;
    const startedAt = clock.now().getTime();
    lastLoadStarted = startedAt;
    loading = (async () => {
      const jwks = await signingKeys.jwks();
      const get = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
      keySet = { get, kids: new Set(jwks.keys.map((key) => String(key.kid))), loadedAt: startedAt };
      return get;
    })().finally(() => {
      loading = null;
    });
    return loading;
  }

  /** The kids published now (reloaded at least every KEY_SET_TTL_MS). */
  async function publishedKids(): Promise<ReadonlySet<string>> {
    if (!keySet || clock.now().getTime() - keySet.loadedAt >= KEY_SET_TTL_MS) await load();
    return keySet!.kids;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const fresh = keySet && clock.now().getTime() - keySet.loadedAt < KEY_SET_TTL_MS;
    const current = fresh ? keySet!.get : await load();
    try {
      return await current(header, token);
    } catch (error) {
      // A key made by another process since this one loaded the set: reload once (or wait for the load
      // under way), then give up.
      if (!(error instanceof errors.JWKSNoMatchingKey) || (!loading && !mayReload(token.payload))) throw error;
      return (await load())(header, token);
    }
  };

  /**
   * Whether an unknown kid may reload the set: a second after the last load, or sooner (but not more than
   * ten times a second) for a token that says it was issued since then, such as the first one another
   * process signs right after a rotation. The claim is not verified yet: a forger gains at most that rate.
   */
  function mayReload(payload: string | Uint8Array): boolean {
    if (!keySet) return true;
    const now = clock.now().getTime();
    const sinceLoad = now - lastLoadStarted;
    if (sinceLoad > RELOAD_AFTER_MS) return true;
    if (sinceLoad < RELOAD_FOR_NEWER_MS) return false;
    const issuedAt = issuedAtMsOf(payload);
    // iat has whole seconds: issued up to 999 ms after its value says.
    return issuedAt !== null && issuedAt <= now && issuedAt + 1000 > keySet.loadedAt;
  }

  /** Signs a token for `subject` with Kith's common claims (iss, aud, iat, exp, jti) and `claims`. */
  async function sign(subject: string, claims: Record<string, unknown>, ttlSeconds: number) {
    const { kid, key } = await signingKeys.signingKey();
    const now = Math.floor(clock.now().getTime() / 1000);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: TYP })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresIn: ttlSeconds };
  }
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

  const verified = new Map<string, { claims: AccessClaims; expiresAt: number; kid: string }>();

  const issuer: AccessTokenIssuer = {
    issue: (claims) =>
      sign(claims.customerId, { sid: claims.sessionId, auth_time: seconds(claims.authTime), acr: claims.acr, amr: claims.amr }, options.ttlSeconds),
  };
  const staffIssuer: StaffTokenIssuer = {
    issue: (claims) =>
      sign(
        claims.staffId,
        { kith_kind: 'staff', ver: claims.tokenVersion, role: claims.role, auth_time: seconds(claims.authTime), ...staffProof(claims.mfa) },
        options.staffTtlSeconds,
      ),
  };
  const clientIssuer: ClientTokenIssuer = {
    issue: (claims) => sign(claims.clientId, { kith_kind: 'client', ver: claims.tokenVersion, client_id: claims.clientId, scope: claims.scopes.join(' ') }, options.ttlSeconds),
  };

  return {
    issuer,
    staffIssuer,
    clientIssuer,
    /**
     * The claims of a valid token; throws jose's errors for anything else. A token already verified is
     * answered from memory until its exp while its key is still published: the signature cannot change,
     * and revocation is the principal check's job (src/auth/principals.ts), which runs on every request.
     */
    async verify(token: string): Promise<AccessClaims> {
      const now = clock.now().getTime();
      const cached = verified.get(token);
      if (cached && cached.expiresAt > now && (await publishedKids()).has(cached.kid)) return cached.claims;
      if (cached) verified.delete(token);
      const fresh = await verifyUncached(token);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, fresh);
      return fresh.claims;
    },
  };

  /** jose's verification with every option pinned, then the claims each kind of token must carry. */
  async function verifyUncached(token: string): Promise<{ claims: AccessClaims; expiresAt: number; kid: string }> {
    const { payload, protectedHeader } = await jwtVerify(token, getKey, {
      algorithms: [SIGNING_ALG],
      issuer: options.issuer,
      audience: options.audience,
      typ: TYP,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      maxTokenAge: Math.max(options.ttlSeconds, options.staffTtlSeconds) + 60,
      currentDate: clock.now(),
    });
    return { claims: claimsOf(payload as Record<string, unknown> & JWTPayload), expiresAt: (payload.exp ?? 0) * 1000, kid: String(protectedHeader.kid) };
  }

  function claimsOf(claims: Record<string, unknown> & JWTPayload): AccessClaims {
    const malformed = () => new errors.JWTClaimValidationFailed('malformed claims', claims);
    const { sub, iat, ver } = claims as { sub: string; iat: number; ver: unknown };
    switch (claims.kith_kind) {
      case 'staff':
        if (!Number.isInteger(ver) || iat + options.staffTtlSeconds < (claims.exp ?? 0)) throw malformed();
        return { kind: 'staff', staffId: sub, tokenVersion: ver as number, mfa: claims.acr === MFA_ACR };
      case 'client': {
        if (typeof claims.scope !== 'string' || claims.client_id !== sub || !Number.isInteger(ver) || iat + options.ttlSeconds < (claims.exp ?? 0)) throw malformed();
        return { kind: 'client', clientId: sub, scopes: claims.scope.split(' ').filter(Boolean), tokenVersion: ver as number };
      }
      case undefined: {
        const { sid, auth_time: authTime, acr, amr } = claims;
        if (typeof sid !== 'string' || typeof authTime !== 'number' || typeof acr !== 'string') throw malformed();
        if (!Array.isArray(amr) || !amr.every((m) => typeof m === 'string')) throw malformed();
        if (iat + options.ttlSeconds < (claims.exp ?? 0)) throw malformed();
        return { kind: 'customer', customerId: sub, sessionId: sid, authTime: new Date(authTime * 1000), acr, amr: amr as string[] };
      }
      default:
        throw malformed();
    }
  }
}
