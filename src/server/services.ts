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
import { createCrmService } from '../domain/crm/crm-service.js';
import { createCustomerService } from '../domain/customers/customer-service.js';
import { createChangeLog } from '../domain/events/change-log.js';
import type { Services } from '../domain/services.js';
import { clientSecrets } from '../auth/client-secrets.js';
import { createServiceClientService } from '../domain/principals/client-service.js';
import type { ClientTokenIssuer } from '../domain/principals/service-client.js';
import type { StaffTokenIssuer } from '../domain/principals/staff.js';
import { createStaffService } from '../domain/principals/staff-service.js';
import { createStaffTotp } from '../domain/principals/staff-totp.js';
import type { AccessTokenIssuer } from '../domain/sessions/session.js';
import { createSessionService } from '../domain/sessions/session-service.js';
import { createStepUpGuard } from '../domain/sessions/step-up.js';
import { createProvisioningService } from '../domain/scim/provisioning-service.js';
import { createPasswordService } from '../domain/credentials/password-service.js';
import { createRecoveryService, type RecoveryMailer } from '../domain/credentials/recovery-service.js';
import { passwordRecoveryCodes } from '../auth/password-recovery-codes.js';
import { createPasskeyService, passkeySource } from '../domain/passkeys/passkey-service.js';
import { createAccountErasure } from '../domain/privacy/account-erasure.js';
import { createDataExport } from '../domain/privacy/data-export.js';
import { createRefreshTokenCodec } from '../auth/refresh-tokens.js';
import { recoveryCodeCodec } from '../auth/recovery-codes.js';
import { createSecretSealer } from '../auth/secret-sealer.js';
import { otpauthTotp } from '../auth/totp.js';
import { createEmailChange } from '../domain/customers/email-change.js';
import { createRecoveryCodeService } from '../domain/factors/recovery-code-service.js';
import { createSecondFactors } from '../domain/factors/second-factors.js';
import { createTotpService } from '../domain/factors/totp-service.js';
import { KITH_TOTP } from '../domain/factors/totp-rules.js';
import type { Database } from '../store/database.js';
import { createAttemptLimiter } from '../store/attempt-limiter.js';
import type { CatalogCache } from '../store/catalog-store.js';
import { createUnitOfWork } from '../store/unit-of-work.js';
import { connectorKinds } from '../connectors/registry.js';
import { createConnectorService } from '../domain/delivery/connector-service.js';
import { createDeliveryEngine } from '../domain/delivery/delivery-engine.js';
import { createConnectorStore } from '../store/connector-store.js';
import { createDeliveryStore } from '../store/delivery-store.js';
import { createConnectorTargets } from './connector-targets.js';
import { createCrmSource } from './crm-source.js';

/** Wires every domain service to the store, the clock and the hasher. */
export interface TokenIssuers {
  issuer: AccessTokenIssuer;
  staffIssuer: StaffTokenIssuer;
  clientIssuer: ClientTokenIssuer;
}

export function createServices(deps: {
  config: Config;
  database: Database;
  clock: Clock;
  accessTokens: TokenIssuers;
  /** Makes every process drop a changed principal before a revocation is reported done. */
  settlePrincipalChanges?: () => Promise<void>;
  /** The process's cache of both catalogs, kept true by the same announcements. */
  catalogCache?: CatalogCache;
  /** Sends recovery codes; absent, password recovery is off. */
  recoveryMailer?: RecoveryMailer | null;
  /** A recovery mail that could not be sent. */
  onMailError?: (error: unknown) => void;
}): Services {
  const uow = createUnitOfWork(deps.database, { settlePrincipalChanges: deps.settlePrincipalChanges, catalogCache: deps.catalogCache });
  const { clock } = deps;
  const hasher = createArgon2Hasher(deps.config.argon2, deps.config.hashConcurrency, deps.config.hashQueueLimit);
  const passwordPolicy = createPasswordPolicy({ commonPasswords: loadCommonPasswords() });
  // Each second-factor module adds the source that reports whether a customer has enrolled it.
  const secondFactors = createSecondFactors(uow);
  const stepUp = createStepUpGuard({ clock, windowSeconds: deps.config.stepUpWindowSeconds, sources: [secondFactors.source, passkeySource(uow)] });
  /** Customers' and staff TOTP check codes alike; each seals its seeds under a key of its own (`sealLabel`). */
  const totpCheck = (sealLabel: string) => ({
    sealer: createSecretSealer(deps.config.keyEncryptionKey, sealLabel),
    algorithm: otpauthTotp,
    params: KITH_TOTP,
    lockout: deps.config.lockout,
    issuer: deps.config.totpIssuer,
  });
  /** A limiter of `points` attempts per key in `durationSeconds`, in the store every process shares. */
  const limiter = (name: string, points: number, durationSeconds: number) =>
    createAttemptLimiter(deps.database, { name, secret: deps.config.keyEncryptionKey, points, durationSeconds });
  const perMinute = (name: string, points: number) => limiter(name, points, 60);
  // One limiter per kind of key: sign-ins count per email (staff emails apart), step-ups per customer,
  // each with its own budget; the lockout behind them is per account and shared by sign-in and step-up.
  const signInLimits = {
    perIp: perMinute('signin-ip', deps.config.signInAttemptsPerIpPerMinute),
    perAccount: perMinute('signin-account', deps.config.signInAttemptsPerAccountPerMinute),
  };
  const { perAccount } = signInLimits;
  const sessions = createSessionService({
    uow,
    clock,
    newId: randomUUID,
    hasher,
    accessTokens: deps.accessTokens.issuer,
    refreshTokens: createRefreshTokenCodec(deps.config.keyEncryptionKey),
    lockout: deps.config.lockout,
    lifetimes: { idleSeconds: deps.config.sessionIdleSeconds, absoluteSeconds: deps.config.sessionMaxSeconds },
    signInLimits,
  });
  const delivery = deps.config.delivery;
  const connectorStore = createConnectorStore(deps.database.db);
  const targets = createConnectorTargets({ kinds: connectorKinds, clock, timeoutMs: delivery.timeoutMs });
  const connectorSealer = createSecretSealer(deps.config.keyEncryptionKey, 'kith connector-secrets v1');
  return {
    connectors: createConnectorService({
      store: connectorStore,
      targets,
      sealer: connectorSealer,
      clock,
      newId: randomUUID,
      listPurposes: () => uow.read.catalog.listPurposes(),
      defaultMaxAttempts: delivery.maxAttempts,
    }),
    delivery: createDeliveryEngine({
      connectors: connectorStore,
      deliveries: createDeliveryStore(deps.database.db),
      findCustomers: (ids) => uow.read.customers.findByIdsWithConsents(ids),
      targets,
      sealer: connectorSealer,
      clock,
      random: Math.random,
      newClaimToken: randomUUID,
      policy: { baseMs: delivery.backoffBaseMs, capMs: delivery.backoffCapMs, maxRetryAfterMs: 3_600_000 },
      leaseMs: delivery.leaseMs,
    }),
    customers: createCustomerService({
      uow,
      clock,
      newId: randomUUID,
      hasher,
      passwordPolicy,
      registrationsPerIp: perMinute('register-ip', deps.config.registrationsPerIpPerMinute),
      capturesPerIp: perMinute('capture-ip', deps.config.capturesPerIpPerMinute),
    }),
    stepUp,
    passwords: createPasswordService({ uow, clock, hasher, policy: passwordPolicy, stepUp }),
    recovery: createRecoveryService({
      uow,
      clock,
      newId: randomUUID,
      hasher,
      policy: passwordPolicy,
      codes: passwordRecoveryCodes,
      mailer: deps.recoveryMailer ?? null,
      ttlSeconds: deps.config.recovery.codeTtlSeconds,
      limits: {
        perIp: perMinute('recovery-ip', deps.config.recovery.perIpPerMinute),
        perEmail: limiter('recovery-email', deps.config.recovery.perEmailPerHour, 3600),
      },
      onMailError: deps.onMailError ?? (() => undefined),
    }),
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
    staff: createStaffService({
      uow,
      clock,
      newId: randomUUID,
      hasher,
      passwordPolicy,
      lockout: deps.config.lockout,
      tokens: deps.accessTokens.staffIssuer,
      signInLimits,
      totp: createStaffTotp({
        uow,
        clock,
        ...totpCheck('kith staff-totp-secret encryption v1'),
      }),
    }),
    clients: createServiceClientService({
      uow,
      clock,
      newId: randomUUID,
      secrets: clientSecrets,
      tokens: deps.accessTokens.clientIssuer,
      perIp: perMinute('token-ip', deps.config.signInAttemptsPerIpPerMinute),
    }),
    emailChange: createEmailChange({ uow, clock, stepUp }),
    secondFactors,
    totp: createTotpService({
      uow,
      clock,
      stepUp,
      ...totpCheck('kith totp-secret encryption v1'),
      recoveryCodes: recoveryCodeCodec,
      perAccount,
    }),
    recoveryCodes: createRecoveryCodeService({ uow, clock, stepUp, codec: recoveryCodeCodec, perAccount }),
    crm: createCrmService({
      reader: createCrmSource({ store: connectorStore, sealer: connectorSealer, clock, timeoutMs: deps.config.crmTimeoutMs }),
      clock,
      cacheSeconds: deps.config.crmCacheSeconds,
    }),
    customerSearch: createCustomerSearch({ uow }),
    consents: createConsentService({ uow, clock }),
    catalog: createCatalogService({ uow, clock }),
    changeLog: createChangeLog({ uow }),
    provisioning: createProvisioningService({ uow, clock, newId: randomUUID }),
    erasure: createAccountErasure({ uow, clock, stepUp }),
    dataExport: createDataExport({ uow, clock, stepUp }),
  };
}
