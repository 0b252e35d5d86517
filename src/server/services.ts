import { randomBytes, randomUUID } from 'node:crypto';
import { loadCommonPasswords } from '../auth/common-passwords.js';
import { createArgon2Hasher } from '../auth/password-hasher.js';
import { createWebAuthnVerifier } from '../auth/webauthn.js';
import type { Config } from '../config/config.js';
import { createCatalogService } from '../domain/catalog/catalog-service.js';
import type { Clock } from '../domain/clock.js';
import { createConsentService } from '../domain/consents/consent-service.js';
import { createPasswordPolicy } from '../domain/credentials/password-policy.js';
import { createCustomerSearch } from '../domain/customers/customer-search.js';
import { createCustomerService } from '../domain/customers/customer-service.js';
import { createChangeLog } from '../domain/events/change-log.js';
import type { Services } from '../domain/services.js';
import { DEFAULT_LOCKOUT } from '../domain/sessions/lockout.js';
import type { AccessTokenIssuer } from '../domain/sessions/session.js';
import { createSessionService } from '../domain/sessions/session-service.js';
import { createStepUpGuard } from '../domain/sessions/step-up.js';
import { createPasswordService } from '../domain/credentials/password-service.js';
import { createPasskeyService, passkeySource } from '../domain/passkeys/passkey-service.js';
import { refreshTokenCodec } from '../auth/refresh-tokens.js';
import type { Database } from '../store/database.js';
import { createAttemptLimiter } from '../store/attempt-limiter.js';
import { createUnitOfWork } from '../store/unit-of-work.js';

/** Wires every domain service to the store, the clock and the hasher. */
export function createServices(deps: { config: Config; database: Database; clock: Clock; accessTokens: AccessTokenIssuer }): Services {
  const uow = createUnitOfWork(deps.database);
  const { clock } = deps;
  const hasher = createArgon2Hasher(deps.config.argon2);
  const passwordPolicy = createPasswordPolicy({ commonPasswords: loadCommonPasswords() });
  // Each second-factor module adds the source that reports whether a customer has enrolled it.
  const stepUp = createStepUpGuard({ clock, windowSeconds: deps.config.stepUpWindowSeconds, sources: [passkeySource(uow)] });
  const sessions = createSessionService({
    uow,
    clock,
    newId: randomUUID,
    hasher,
    accessTokens: deps.accessTokens,
    refreshTokens: refreshTokenCodec,
    lockout: DEFAULT_LOCKOUT,
    lifetimes: { idleSeconds: deps.config.sessionIdleSeconds, absoluteSeconds: deps.config.sessionMaxSeconds },
    signInLimits: {
      perIp: createAttemptLimiter(deps.database.db, { name: 'signin-ip', points: deps.config.signInAttemptsPerIpPerMinute, durationSeconds: 60 }),
      perAccount: createAttemptLimiter(deps.database.db, {
        name: 'signin-account',
        points: deps.config.signInAttemptsPerAccountPerMinute,
        durationSeconds: 60,
      }),
    },
  });
  return {
    customers: createCustomerService({ uow, clock, newId: randomUUID, hasher, passwordPolicy }),
    stepUp,
    passwords: createPasswordService({ uow, clock, hasher, policy: passwordPolicy, stepUp }),
    sessions,
    passkeys: createPasskeyService({
      uow,
      clock,
      newId: randomUUID,
      newChallenge: () => randomBytes(32).toString('base64url'),
      verifier: createWebAuthnVerifier(deps.config.webauthn),
      stepUp,
      sessions,
    }),
    customerSearch: createCustomerSearch({ uow }),
    consents: createConsentService({ uow, clock }),
    catalog: createCatalogService({ uow, clock }),
    changeLog: createChangeLog({ uow }),
  };
}
