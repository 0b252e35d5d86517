import { DEFAULT_LOCKOUT, type LockoutPolicy } from '../domain/sessions/lockout.js';

/** Kith's settings, read once from the environment, checked, and frozen. */
export interface Config {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  /** PostgreSQL when set; otherwise embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly dbPoolSize: number;
  /** The first administrator, created at start while none exists (KITH_BOOTSTRAP_ADMIN_*); null for none. */
  readonly bootstrapAdmin: { readonly email: string; readonly password: string } | null;
  /** Secret the signing keys are encrypted with at rest; the same on every process of one database. */
  readonly keyEncryptionKey: string;
  /** True outside production when KITH_KEY_ENCRYPTION_KEY is unset and a fixed development secret is used. */
  readonly keyEncryptionKeyIsDevelopmentDefault: boolean;
  /** Lifetime of access tokens, in seconds. */
  readonly accessTokenTtlSeconds: number;
  /** Lifetime of staff access tokens (checked against the staff member on every request). */
  readonly staffTokenTtlSeconds: number;
  /**
   * How long a process may answer from memory that a token's session, staff member or client is still
   * active (KITH_PRINCIPAL_CACHE_SECONDS, 60; 0 reads the database on every request). Changes reach every
   * process as they commit, so revocation stays immediate either way.
   */
  readonly principalCacheSeconds: number;
  /** How long CRM answers are reused, and how long a CRM call may take before CRM_UNAVAILABLE. */
  readonly crmCacheSeconds: number;
  readonly crmTimeoutMs: number;
  /** Sensitive actions need a step-up (stepUp) at most this many seconds old. */
  readonly stepUpWindowSeconds: number;
  /** The issuer authenticator apps show next to a TOTP code. */
  readonly totpIssuer: string;
  /**
   * KITH_STAFF_MFA=required: a staff token from a sign-in without a TOTP code may only enrol one (and sign
   * out); optional (the default) lets each member choose.
   */
  readonly staffMfaRequired: boolean;
  /** `iss` of Kith's tokens: its public base URL. */
  readonly issuer: string;
  /** `aud` of Kith's access tokens. */
  readonly audience: string;
  /** WebAuthn relying party: the RP ID passkeys are bound to, its display name, and the origins allowed to use them. */
  readonly webauthn: { readonly rpId: string; readonly rpName: string; readonly origins: readonly string[] };
  /** Sign-in attempts allowed per client IP, and per email, in one minute. */
  readonly signInAttemptsPerIpPerMinute: number;
  readonly signInAttemptsPerAccountPerMinute: number;
  /** Registrations allowed per client IP in one minute: each costs an argon2id hash. */
  readonly registrationsPerIpPerMinute: number;
  /** Captures allowed per client IP in one minute from callers who are neither staff nor service clients. */
  readonly capturesPerIpPerMinute: number;
  /** Failures in a row (wrong passwords, or wrong codes of one TOTP) that lock, and the locks' lengths. */
  readonly lockout: LockoutPolicy;
  /** Fastify's trustProxy: the proxies (addresses, CIDR ranges) whose X-Forwarded-For gives the client IP. */
  readonly trustProxy: false | string[];
  /** A session ends after this long without a refresh, or this long after sign-in. */
  readonly sessionIdleSeconds: number;
  readonly sessionMaxSeconds: number;
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  /** Password hashes this process runs at once on libuv's thread pool; more wait their turn (password-hasher.ts). */
  readonly hashConcurrency: number;
  /** Password hashes that may wait their turn; past them a sign-in, registration or password change is RATE_LIMITED. */
  readonly hashQueueLimit: number;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit: number;
  readonly logLevel: string;
  /** Outbound delivery to connectors (see delivery()). */
  readonly delivery: DeliveryConfig;
  /** Password recovery by email (see recovery()). */
  readonly recovery: RecoveryConfig;
}

export interface RecoveryConfig {
  /** Where recovery mail is sent through (smtp:// or smtps://); null turns recovery off. */
  readonly smtpUrl: string | null;
  /** The From of recovery mail. */
  readonly mailFrom: string;
  /** The frontend's page that takes a code: the mail links to it with `#code=<code>`; null sends the code alone. */
  readonly pageUrl: string | null;
  readonly codeTtlSeconds: number;
  readonly perIpPerMinute: number;
  readonly perEmailPerHour: number;
}

export interface DeliveryConfig {
  /** Whether this process runs the delivery loop (off under NODE_ENV=test unless asked for: tests drive it). */
  readonly worker: boolean;
  readonly pollMs: number;
  /** Tries before a delivery is dead-lettered, for connectors created without their own. */
  readonly maxAttempts: number;
  /** Each request to a target gives up after this long (and is retried). */
  readonly timeoutMs: number;
  /** How long a process owns the deliveries it claimed: a dead process's claims return after it. */
  readonly leaseMs: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

export const DEFAULT_DB_POOL_SIZE = 4;

/** The size of libuv's thread pool, read from UV_THREADPOOL_SIZE as libuv reads it (atoi, 0 meaning 1, capped at 1024). */
export function threadPoolSize(env: Env): number {
  const raw = env.UV_THREADPOOL_SIZE;
  if (raw === undefined) return 4;
  const value = Number.parseInt(raw, 10) || 0;
  // libuv keeps the count unsigned, so a negative one wraps past the cap.
  return value === 0 ? 1 : value < 0 || value > 1024 ? 1024 : value;
}

/**
 * Password hashes in flight: by default as many as the pool has threads, and never more, since a hash
 * queued on the pool would hold up the token signatures behind it (password-hasher.ts).
 */
function hashConcurrency(env: Env): number {
  const pool = threadPoolSize(env);
  const value = integer(env, 'KITH_HASH_CONCURRENCY', pool, 1, 1024);
  if (value > pool) {
    throw new ConfigError(`KITH_HASH_CONCURRENCY (${value}) must not exceed libuv's thread pool (UV_THREADPOOL_SIZE: ${pool}): raise UV_THREADPOOL_SIZE as well.`);
  }
  return value;
}

/** Password recovery: off without KITH_SMTP_URL; the URLs are checked here so a typo fails at start. */
function recovery(env: Env, production: boolean): RecoveryConfig {
  const smtpUrl = env.KITH_SMTP_URL || null;
  if (smtpUrl !== null && !(URL.canParse(smtpUrl) && /^smtps?:$/.test(new URL(smtpUrl).protocol))) {
    throw new ConfigError('KITH_SMTP_URL must be an smtp:// or smtps:// URL, such as smtps://user:password@smtp.example.com:465.');
  }
  if (smtpUrl !== null && new URL(smtpUrl).search !== '') {
    // nodemailer reads options from the query (ignoreTLS, requireTLS, ...), which would override Kith's TLS rule.
    throw new ConfigError('KITH_SMTP_URL takes no query parameters: TLS is smtps://, or STARTTLS required over smtp:// to another machine.');
  }
  const pageUrl = env.KITH_RECOVERY_URL || null;
  if (pageUrl !== null && !(URL.canParse(pageUrl) && /^https?:$/.test(new URL(pageUrl).protocol) && !new URL(pageUrl).hash)) {
    throw new ConfigError(`KITH_RECOVERY_URL must be an http(s) URL without a fragment (the code goes there), got "${pageUrl}".`);
  }
  if (production && pageUrl !== null && new URL(pageUrl).protocol === 'http:' && new URL(pageUrl).hostname !== 'localhost') {
    throw new ConfigError('KITH_RECOVERY_URL must be https in production: the link carries a code that sets a password.');
  }
  return Object.freeze({
    smtpUrl,
    mailFrom: env.KITH_MAIL_FROM || 'Kith <no-reply@localhost>',
    pageUrl,
    codeTtlSeconds: integer(env, 'KITH_RECOVERY_CODE_SECONDS', 1800, 300, 86_400),
    perIpPerMinute: integer(env, 'KITH_RECOVERIES_PER_IP', 10, 1, 1_000_000),
    perEmailPerHour: integer(env, 'KITH_RECOVERIES_PER_EMAIL', 5, 1, 1_000_000),
  });
}

/** Outside production only: a stable secret, so a development store's keys survive restarts. */
const DEVELOPMENT_KEY_ENCRYPTION_KEY = 'kith-development-only-key-encryption-key-do-not-use';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

/**
 * Which proxies may say who the client is: their addresses and CIDR ranges. `true` is refused: trusting
 * every sender of X-Forwarded-For lets any client choose its IP and escape the per-IP limits.
 */
function trustProxy(raw: string | undefined): false | string[] {
  if (raw === undefined || raw === '') return false;
  if (raw === 'true') {
    throw new ConfigError('KITH_TRUST_PROXY=true would let any client choose its IP: give the proxies\' addresses, such as 10.0.0.0/8.');
  }
  const list = raw.split(',').map((part) => part.trim()).filter(Boolean);
  if (list.some((part) => !/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(part) && part !== 'loopback')) {
    throw new ConfigError(`KITH_TRUST_PROXY must be a comma-separated list of addresses and CIDR ranges, got "${raw}".`);
  }
  return list;
}

/** A name for authenticator apps: the otpauth:// label puts it before a colon, so none is allowed. */
function totpIssuer(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'Kith';
  if (raw.length > 64 || raw.includes(':') || raw.trim() !== raw) {
    throw new ConfigError(`KITH_TOTP_ISSUER must be 1 to 64 characters without a colon or surrounding spaces, got "${raw}".`);
  }
  return raw;
}

/** An origin (scheme, host, optional port) as a browser reports it in clientDataJSON, with no path. */
function origin(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must list origins such as https://app.example.com, got "${raw}".`);
  }
  if (!/^https?:$/.test(url.protocol) || url.origin !== raw.replace(/\/+$/, '')) {
    throw new ConfigError(`${name} must list origins such as https://app.example.com (no path), got "${raw}".`);
  }
  return url.origin;
}

/**
 * The WebAuthn relying party. By default it is the issuer itself: RP ID its hostname, the one allowed origin
 * its origin. A frontend on another origin needs its origin listed, and the RP ID must be that origin's host
 * or a registrable suffix of it (the browser enforces this).
 */
function webauthn(env: Env, issuer: string): Config['webauthn'] {
  const issuerUrl = URL.canParse(issuer) ? new URL(issuer) : null;
  if (!issuerUrl) throw new ConfigError(`KITH_ISSUER must be a URL such as https://id.example.com, got "${issuer}".`);
  const rpId = env.KITH_WEBAUTHN_RP_ID || issuerUrl.hostname;
  if (!/^[a-z0-9.-]{1,253}$/i.test(rpId)) throw new ConfigError(`KITH_WEBAUTHN_RP_ID must be a host name, got "${rpId}".`);
  const listed = (env.KITH_WEBAUTHN_ORIGINS ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  const origins = listed.length > 0 ? listed.map((raw) => origin(raw, 'KITH_WEBAUTHN_ORIGINS')) : [issuerUrl.origin];
  return Object.freeze({ rpId: rpId.toLowerCase(), rpName: env.KITH_WEBAUTHN_RP_NAME || 'Kith', origins: Object.freeze(origins) });
}

function staffMfa(raw: string | undefined): boolean {
  const value = raw || 'optional';
  if (value !== 'optional' && value !== 'required') throw new ConfigError(`KITH_STAFF_MFA must be optional or required, got "${value}".`);
  return value === 'required';
}

function lockout(env: Env): LockoutPolicy {
  const baseLockSeconds = integer(env, 'KITH_LOCKOUT_SECONDS', DEFAULT_LOCKOUT.baseLockSeconds, 1, 86_400);
  const maxLockSeconds = integer(env, 'KITH_LOCKOUT_MAX_SECONDS', DEFAULT_LOCKOUT.maxLockSeconds, 1, 30 * 86_400);
  if (maxLockSeconds < baseLockSeconds) throw new ConfigError('KITH_LOCKOUT_MAX_SECONDS must not be below KITH_LOCKOUT_SECONDS.');
  return Object.freeze({ maxAttempts: integer(env, 'KITH_LOCKOUT_ATTEMPTS', DEFAULT_LOCKOUT.maxAttempts, 1, 100), baseLockSeconds, maxLockSeconds });
}

function delivery(env: Env): DeliveryConfig {
  const worker = env.KITH_DELIVERY_WORKER || (env.NODE_ENV === 'test' ? 'off' : 'on');
  if (worker !== 'on' && worker !== 'off') throw new ConfigError(`KITH_DELIVERY_WORKER must be on or off, got "${worker}".`);
  const timeoutMs = integer(env, 'KITH_DELIVERY_TIMEOUT_MS', 10_000, 50, 120_000);
  const leaseMs = integer(env, 'KITH_DELIVERY_LEASE_MS', 60_000, 100, 3_600_000);
  // A claim must outlive the requests made under it, or another process would send the same change meanwhile.
  // A SCIM delivery may take four requests in a row (look up, create, look up again, patch), each up to the
  // timeout: the lease must outlast them, or another process could claim the change while it is sent.
  if (leaseMs < 4 * timeoutMs) throw new ConfigError('KITH_DELIVERY_LEASE_MS must be at least four times KITH_DELIVERY_TIMEOUT_MS.');
  const backoffBaseMs = integer(env, 'KITH_DELIVERY_BACKOFF_BASE_MS', 1_000, 1, 3_600_000);
  const backoffCapMs = integer(env, 'KITH_DELIVERY_BACKOFF_CAP_MS', 300_000, 1, 86_400_000);
  if (backoffCapMs < backoffBaseMs) throw new ConfigError('KITH_DELIVERY_BACKOFF_CAP_MS must not be below KITH_DELIVERY_BACKOFF_BASE_MS.');
  return Object.freeze({
    worker: worker === 'on',
    pollMs: integer(env, 'KITH_DELIVERY_POLL_MS', 1_000, 10, 3_600_000),
    maxAttempts: integer(env, 'KITH_DELIVERY_MAX_ATTEMPTS', 10, 1, 100),
    timeoutMs,
    leaseMs,
    backoffBaseMs,
    backoffCapMs,
  });
}

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://.');
  }
  const adminEmail = env.KITH_BOOTSTRAP_ADMIN_EMAIL || null;
  const adminPassword = env.KITH_BOOTSTRAP_ADMIN_PASSWORD || null;
  if ((adminEmail === null) !== (adminPassword === null)) {
    throw new ConfigError('KITH_BOOTSTRAP_ADMIN_EMAIL and KITH_BOOTSTRAP_ADMIN_PASSWORD go together: set both or neither.');
  }
  const keyEncryptionKey = env.KITH_KEY_ENCRYPTION_KEY || null;
  if (keyEncryptionKey !== null && keyEncryptionKey.length < 32) {
    throw new ConfigError('KITH_KEY_ENCRYPTION_KEY must have at least 32 characters (try: openssl rand -hex 32).');
  }
  if (keyEncryptionKey === null && production) {
    throw new ConfigError('KITH_KEY_ENCRYPTION_KEY is required in production: it encrypts the token signing keys at rest.');
  }
  const issuer = (env.KITH_ISSUER || `http://localhost:${integer(env, 'PORT', 4000, 0, 65535)}`).replace(/\/+$/, '');
  return Object.freeze({
    production,
    keyEncryptionKey: keyEncryptionKey ?? DEVELOPMENT_KEY_ENCRYPTION_KEY,
    keyEncryptionKeyIsDevelopmentDefault: keyEncryptionKey === null,
    accessTokenTtlSeconds: integer(env, 'KITH_ACCESS_TOKEN_TTL_SECONDS', 600, 60, 3600),
    staffTokenTtlSeconds: integer(env, 'KITH_STAFF_TOKEN_TTL_SECONDS', 8 * 3600, 60, 86_400),
    principalCacheSeconds: integer(env, 'KITH_PRINCIPAL_CACHE_SECONDS', 60, 0, 3600),
    crmCacheSeconds: integer(env, 'KITH_CRM_CACHE_SECONDS', 30, 0, 3600),
    crmTimeoutMs: integer(env, 'KITH_CRM_TIMEOUT_MS', 2_000, 100, 60_000),
    stepUpWindowSeconds: integer(env, 'KITH_STEP_UP_WINDOW_SECONDS', 600, 30, 86_400),
    issuer,
    audience: env.KITH_AUDIENCE || 'kith',
    totpIssuer: totpIssuer(env.KITH_TOTP_ISSUER),
    staffMfaRequired: staffMfa(env.KITH_STAFF_MFA),
    webauthn: webauthn(env, issuer),
    signInAttemptsPerIpPerMinute: integer(env, 'KITH_SIGNIN_ATTEMPTS_PER_IP', 30, 1, 1_000_000),
    signInAttemptsPerAccountPerMinute: integer(env, 'KITH_SIGNIN_ATTEMPTS_PER_ACCOUNT', 10, 1, 1_000_000),
    registrationsPerIpPerMinute: integer(env, 'KITH_REGISTRATIONS_PER_IP', 30, 1, 1_000_000),
    capturesPerIpPerMinute: integer(env, 'KITH_CAPTURES_PER_IP', 60, 1, 1_000_000),
    lockout: lockout(env),
    trustProxy: trustProxy(env.KITH_TRUST_PROXY),
    sessionIdleSeconds: integer(env, 'KITH_SESSION_IDLE_SECONDS', 7 * 86_400, 300, 365 * 86_400),
    sessionMaxSeconds: integer(env, 'KITH_SESSION_MAX_SECONDS', 30 * 86_400, 300, 365 * 86_400),
    host: env.HOST || 'localhost',
    port: integer(env, 'PORT', 4000, 0, 65535),
    databaseUrl,
    dataDir: env.KITH_DATA_DIR || '.data',
    // A Node process is single-threaded: a few pipelined connections keep it busy, and more only add
    // PostgreSQL backends competing for CPU (measured with npm run bench: 2-4 beat 10 on 2 cores).
    dbPoolSize: integer(env, 'KITH_DB_POOL_SIZE', DEFAULT_DB_POOL_SIZE, 1, 200),
    bootstrapAdmin: adminEmail && adminPassword ? Object.freeze({ email: adminEmail, password: adminPassword }) : null,
    argon2: Object.freeze({
      memoryCost: integer(env, 'KITH_ARGON2_MEMORY_KIB', 19_456, 8_192, 1_048_576),
      timeCost: integer(env, 'KITH_ARGON2_ITERATIONS', 2, 1, 20),
      parallelism: 1,
    }),
    hashConcurrency: hashConcurrency(env),
    hashQueueLimit: integer(env, 'KITH_HASH_QUEUE_LIMIT', 256, 1, 100_000),
    bodyLimit: integer(env, 'KITH_BODY_LIMIT_BYTES', 256 * 1024, 1024, 10 * 1024 * 1024),
    logLevel: env.LOG_LEVEL || (production ? 'info' : 'warn'),
    delivery: delivery(env),
    recovery: recovery(env, production),
  });
}
