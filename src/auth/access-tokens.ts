import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../domain/clock.js';
import type { AccessTokenIssuer } from '../domain/sessions/session.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';

/** What a verified access token says. */
export interface AccessClaims {
  customerId: string;
  sessionId: string;
  authTime: Date;
  acr: string;
  amr: string[];
}

export interface AccessTokenOptions {
  signingKeys: SigningKeys;
  clock: Clock;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** RFC 9068's media type for JWT access tokens, checked on the way in so no other JWT passes for one. */
const TYP = 'at+jwt';
/** Unknown kids reload the key set at most this often, so forged kids cannot hammer the database. */
const RELOAD_AFTER_MS = 1_000;
/** The key set is reloaded at least this often, so a key withdrawn from the JWKS stops verifying. */
const KEY_SET_TTL_MS = 60_000;

export type AccessTokens = ReturnType<typeof createAccessTokens>;

/**
 * Access tokens are EdDSA JWTs (jose) with kid, iss, aud, sub, sid, iat, exp, jti, auth_time, acr and amr.
 * Verification pins the algorithm, issuer, audience and typ, and requires every claim Kith relies on.
 */
export function createAccessTokens(options: AccessTokenOptions) {
  const { signingKeys, clock } = options;
  let keySet: { get: JWTVerifyGetKey; loadedAt: number } | null = null;

  async function load(): Promise<JWTVerifyGetKey> {
    const get = createLocalJWKSet((await signingKeys.jwks()) as Parameters<typeof createLocalJWKSet>[0]);
    keySet = { get, loadedAt: clock.now().getTime() };
    return get;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const fresh = keySet && clock.now().getTime() - keySet.loadedAt < KEY_SET_TTL_MS;
    const current = fresh ? keySet!.get : await load();
    try {
      return await current(header, token);
    } catch (error) {
      // A key made by another process since this one loaded the set: reload once, then give up.
      const stale = !keySet || clock.now().getTime() - keySet.loadedAt > RELOAD_AFTER_MS;
      if (!(error instanceof errors.JWKSNoMatchingKey) || !stale) throw error;
      return (await load())(header, token);
    }
  };

  const issuer: AccessTokenIssuer = {
    async issue(claims) {
      const { kid, key } = await signingKeys.signingKey();
      const now = Math.floor(clock.now().getTime() / 1000);
      const token = await new SignJWT({
        sid: claims.sessionId,
        auth_time: Math.floor(claims.authTime.getTime() / 1000),
        acr: claims.acr,
        amr: claims.amr,
      })
        .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: TYP })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(claims.customerId)
        .setIssuedAt(now)
        .setExpirationTime(now + options.ttlSeconds)
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresIn: options.ttlSeconds };
    },
  };

  return {
    issuer,
    /** The claims of a valid token; throws jose's errors for anything else. */
    async verify(token: string): Promise<AccessClaims> {
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: [SIGNING_ALG],
        issuer: options.issuer,
        audience: options.audience,
        typ: TYP,
        requiredClaims: ['sub', 'sid', 'iat', 'exp', 'jti', 'auth_time', 'acr', 'amr'],
        maxTokenAge: options.ttlSeconds + 60,
        currentDate: clock.now(),
      });
      const { sub, sid, auth_time: authTime, acr, amr } = payload as Record<string, unknown>;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof authTime !== 'number' || typeof acr !== 'string') {
        throw new errors.JWTClaimValidationFailed('malformed claims', payload);
      }
      if (!Array.isArray(amr) || !amr.every((m) => typeof m === 'string')) throw new errors.JWTClaimValidationFailed('malformed amr', payload);
      return { customerId: sub, sessionId: sid, authTime: new Date(authTime * 1000), acr, amr: amr as string[] };
    },
  };
}
