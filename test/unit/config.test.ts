import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const KEY = '0123456789abcdef0123456789abcdef'; // 32 characters

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe('ConfigError');
    return error as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig', () => {
  it('has development defaults for an empty environment', () => {
    const { keyEncryptionKey, ...config } = loadConfig({});
    expect(keyEncryptionKey.length).toBeGreaterThanOrEqual(32);
    expect(config).toEqual({
      production: false,
      host: 'localhost',
      port: 4000,
      databaseUrl: undefined,
      dataDir: '.data',
      dbPoolSize: 4,
      bootstrapAdmin: null,
      keyEncryptionKeyIsDevelopmentDefault: true,
      accessTokenTtlSeconds: 600,
      staffTokenTtlSeconds: 28_800,
      principalCacheSeconds: 60,
      stepUpWindowSeconds: 600,
      crmCacheSeconds: 30,
      crmTimeoutMs: 2_000,
      issuer: 'http://localhost:4000',
      audience: 'kith',
      totpIssuer: 'Kith',
      staffMfaRequired: false,
      webauthn: { rpId: 'localhost', rpName: 'Kith', origins: ['http://localhost:4000'] },
      signInAttemptsPerIpPerMinute: 30,
      signInAttemptsPerAccountPerMinute: 10,
      registrationsPerIpPerMinute: 30,
      capturesPerIpPerMinute: 60,
      lockout: { maxAttempts: 5, baseLockSeconds: 300, maxLockSeconds: 86_400 },
      trustProxy: false,
      sessionIdleSeconds: 604_800,
      sessionMaxSeconds: 2_592_000,
      argon2: { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
      hashConcurrency: 4,
      hashQueueLimit: 256,
      bodyLimit: 256 * 1024,
      logLevel: 'warn',
      delivery: { worker: true, pollMs: 1_000, maxAttempts: 10, timeoutMs: 10_000, leaseMs: 60_000, backoffBaseMs: 1_000, backoffCapMs: 300_000 },
      recovery: { smtpUrl: null, mailFrom: 'Kith <no-reply@localhost>', pageUrl: null, codeTtlSeconds: 1800, perIpPerMinute: 10, perEmailPerHour: 5 },
    });
  });

  it('reads password recovery: on with an SMTP URL, and its page only as an http(s) URL without a fragment', () => {
    const recovery = loadConfig({
      KITH_SMTP_URL: 'smtps://kith:secret@smtp.example.com:465',
      KITH_MAIL_FROM: 'Shop <accounts@shop.example>',
      KITH_RECOVERY_URL: 'https://shop.example/recover',
      KITH_RECOVERY_CODE_SECONDS: '900',
      KITH_RECOVERIES_PER_IP: '20',
      KITH_RECOVERIES_PER_EMAIL: '3',
    }).recovery;
    expect(recovery).toEqual({
      smtpUrl: 'smtps://kith:secret@smtp.example.com:465',
      mailFrom: 'Shop <accounts@shop.example>',
      pageUrl: 'https://shop.example/recover',
      codeTtlSeconds: 900,
      perIpPerMinute: 20,
      perEmailPerHour: 3,
    });
    for (const url of ['http://smtp.example.com', 'smtp.example.com:25']) expect(configErrorOf({ KITH_SMTP_URL: url }).message).toMatch(/^KITH_SMTP_URL must be an smtp/);
    expect(configErrorOf({ KITH_SMTP_URL: 'smtp://smtp.example.com:587?ignoreTLS=true' }).message).toMatch(/^KITH_SMTP_URL takes no query parameters/);
    for (const url of ['ftp://shop.example/recover', 'https://shop.example/#/recover', 'recover']) {
      expect(configErrorOf({ KITH_RECOVERY_URL: url }).message).toMatch(/^KITH_RECOVERY_URL must be an http\(s\) URL/);
    }
    const key = { NODE_ENV: 'production', KITH_KEY_ENCRYPTION_KEY: KEY };
    expect(configErrorOf({ ...key, KITH_RECOVERY_URL: 'http://shop.example/recover' }).message).toMatch(/^KITH_RECOVERY_URL must be https in production/);
    expect(loadConfig({ ...key, KITH_RECOVERY_URL: 'http://localhost:3000/recover' }).recovery.pageUrl).toBe('http://localhost:3000/recover');
    expect(configErrorOf({ KITH_RECOVERY_CODE_SECONDS: '299' }).message).toMatch(/^KITH_RECOVERY_CODE_SECONDS must be a whole number from 300/);
  });

  it('takes the bootstrap administrator only as an email and password together', () => {
    expect(loadConfig({ KITH_BOOTSTRAP_ADMIN_EMAIL: 'a@example.com', KITH_BOOTSTRAP_ADMIN_PASSWORD: 'pw of the admin' }).bootstrapAdmin).toEqual({
      email: 'a@example.com',
      password: 'pw of the admin',
    });
    expect(configErrorOf({ KITH_BOOTSTRAP_ADMIN_EMAIL: 'a@example.com' }).message).toMatch(/go together/);
    expect(configErrorOf({ KITH_BOOTSTRAP_ADMIN_PASSWORD: 'pw of the admin' }).message).toMatch(/go together/);
  });

  it('trusts X-Forwarded-For only from the proxies named, never from everyone', () => {
    expect(loadConfig({ KITH_TRUST_PROXY: '10.0.0.0/8, 192.168.1.4' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.4']);
    expect(configErrorOf({ KITH_TRUST_PROXY: 'true' }).message).toMatch(/would let any client choose its IP/);
    expect(configErrorOf({ KITH_TRUST_PROXY: 'everyone' }).message).toMatch(/addresses and CIDR ranges/);
  });

  it('takes the WebAuthn relying party from the issuer unless told, and checks the origins', () => {
    expect(loadConfig({ KITH_ISSUER: 'https://id.example.com/' }).webauthn).toEqual({ rpId: 'id.example.com', rpName: 'Kith', origins: ['https://id.example.com'] });
    const configured = loadConfig({ KITH_WEBAUTHN_RP_ID: 'example.com', KITH_WEBAUTHN_RP_NAME: 'Shop', KITH_WEBAUTHN_ORIGINS: 'https://example.com, https://app.example.com:8443' });
    expect(configured.webauthn).toEqual({ rpId: 'example.com', rpName: 'Shop', origins: ['https://example.com', 'https://app.example.com:8443'] });
    expect(configErrorOf({ KITH_WEBAUTHN_ORIGINS: 'https://example.com/login' }).message).toMatch(/^KITH_WEBAUTHN_ORIGINS must list origins/);
    expect(configErrorOf({ KITH_WEBAUTHN_ORIGINS: 'example.com' }).message).toMatch(/^KITH_WEBAUTHN_ORIGINS must list origins/);
    expect(configErrorOf({ KITH_WEBAUTHN_RP_ID: 'https://example.com' }).message).toMatch(/^KITH_WEBAUTHN_RP_ID must be a host name/);
  });

  it('requires a key encryption key of 32 characters or more in production, and takes one anywhere', () => {
    expect(configErrorOf({ NODE_ENV: 'production' }).message).toMatch(/^KITH_KEY_ENCRYPTION_KEY is required in production/);
    expect(configErrorOf({ KITH_KEY_ENCRYPTION_KEY: KEY.slice(1) }).message).toMatch(/^KITH_KEY_ENCRYPTION_KEY must have at least 32/);
    expect(loadConfig({ NODE_ENV: 'production', KITH_KEY_ENCRYPTION_KEY: KEY })).toMatchObject({
      keyEncryptionKey: KEY,
      keyEncryptionKeyIsDevelopmentDefault: false,
    });
  });

  it('reads the other settings', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      KITH_DATA_DIR: '/var/lib/kith',
      KITH_DB_POOL_SIZE: '200',
      KITH_ARGON2_MEMORY_KIB: '65536',
      KITH_ARGON2_ITERATIONS: '3',
      UV_THREADPOOL_SIZE: '16',
      KITH_HASH_CONCURRENCY: '12',
      KITH_HASH_QUEUE_LIMIT: '1000',
      KITH_BODY_LIMIT_BYTES: '1024',
      KITH_PRINCIPAL_CACHE_SECONDS: '0',
      KITH_REGISTRATIONS_PER_IP: '5',
      KITH_CAPTURES_PER_IP: '500',
      KITH_LOCKOUT_ATTEMPTS: '3',
      KITH_LOCKOUT_SECONDS: '60',
      KITH_LOCKOUT_MAX_SECONDS: '3600',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      dataDir: '/var/lib/kith',
      dbPoolSize: 200,
      argon2: { memoryCost: 65_536, timeCost: 3, parallelism: 1 },
      hashConcurrency: 12,
      hashQueueLimit: 1000,
      bodyLimit: 1024,
      principalCacheSeconds: 0,
      registrationsPerIpPerMinute: 5,
      capturesPerIpPerMinute: 500,
      lockout: { maxAttempts: 3, baseLockSeconds: 60, maxLockSeconds: 3600 },
      logLevel: 'debug',
    });
  });

  it.each([
    [undefined, 4],
    ['8', 8],
    ['1', 1],
    // libuv reads the variable with atoi: 0 and text mean one thread, a negative count wraps past the cap.
    ['0', 1],
    ['', 1],
    ['many', 1],
    ['6 threads', 6],
    ['4096', 1024],
    ['-2', 1024],
  ])('with UV_THREADPOOL_SIZE %j, hashes %j passwords at once: no more than the pool has threads', (UV_THREADPOOL_SIZE, hashConcurrency) => {
    expect(loadConfig({ UV_THREADPOOL_SIZE }).hashConcurrency).toBe(hashConcurrency);
    expect(loadConfig({ UV_THREADPOOL_SIZE, KITH_HASH_CONCURRENCY: '1' }).hashConcurrency).toBe(1);
  });

  it.each([
    ['', 4000],
    ['0', 0],
    ['65535', 65535],
  ])('reads PORT %j as %j', (PORT, port) => {
    expect(loadConfig({ PORT }).port).toBe(port);
  });

  it.each(['abc', '65536', '-1', '80.5', '80abc'])('refuses PORT %j', (PORT) => {
    expect(configErrorOf({ PORT }).message).toBe(`PORT must be a whole number from 0 to 65535, got "${PORT}".`);
  });

  it.each([
    ['KITH_DB_POOL_SIZE', '0'],
    ['KITH_DB_POOL_SIZE', '201'],
    ['KITH_ARGON2_MEMORY_KIB', '8191'],
    ['KITH_ARGON2_ITERATIONS', '21'],
    ['KITH_HASH_CONCURRENCY', '0'],
    ['KITH_HASH_CONCURRENCY', '1025'],
    ['KITH_HASH_QUEUE_LIMIT', '0'],
    ['KITH_HASH_QUEUE_LIMIT', '100001'],
    ['KITH_BODY_LIMIT_BYTES', '1023'],
    ['KITH_PRINCIPAL_CACHE_SECONDS', '3601'],
    ['KITH_REGISTRATIONS_PER_IP', '0'],
    ['KITH_CAPTURES_PER_IP', '0'],
    ['KITH_CAPTURES_PER_IP', '1000001'],
    ['KITH_LOCKOUT_ATTEMPTS', '0'],
    ['KITH_LOCKOUT_ATTEMPTS', '101'],
    ['KITH_LOCKOUT_SECONDS', '0'],
  ])('refuses %s=%j', (name, value) => {
    expect(configErrorOf({ [name]: value }).message).toMatch(new RegExp(`^${name} must be a whole number from \\d+ to \\d+, got "${value}"\\.$`));
  });

  it('refuses more hashes in flight than libuv\'s pool has threads', () => {
    expect(configErrorOf({ KITH_HASH_CONCURRENCY: '5' }).message).toBe(
      "KITH_HASH_CONCURRENCY (5) must not exceed libuv's thread pool (UV_THREADPOOL_SIZE: 4): raise UV_THREADPOOL_SIZE as well.",
    );
    expect(loadConfig({ KITH_HASH_CONCURRENCY: '5', UV_THREADPOOL_SIZE: '5' }).hashConcurrency).toBe(5);
  });

  it.each(['postgres://kith@db:5432/kith', 'postgresql://kith:secret@localhost/kith'])('accepts DATABASE_URL %j', (url) => {
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each(['mysql://kith@db/kith', 'http://postgres://x', 'postgres:/kith', 'kith.db'])('refuses DATABASE_URL %j', (url) => {
    expect(configErrorOf({ DATABASE_URL: url }).message).toBe('DATABASE_URL must start with postgres:// or postgresql://.');
  });

  it('takes a TOTP issuer without a colon, which would break the otpauth label', () => {
    expect(loadConfig({ KITH_TOTP_ISSUER: 'Acme Shop' }).totpIssuer).toBe('Acme Shop');
    for (const bad of ['Acme:Shop', ' Acme', 'x'.repeat(65)]) {
      expect(configErrorOf({ KITH_TOTP_ISSUER: bad }).message).toMatch(/^KITH_TOTP_ISSUER must be 1 to 64 characters without a colon/);
    }
  });

  it('refuses a longest lock shorter than the first', () => {
    expect(configErrorOf({ KITH_LOCKOUT_SECONDS: '600', KITH_LOCKOUT_MAX_SECONDS: '300' }).message).toBe(
      'KITH_LOCKOUT_MAX_SECONDS must not be below KITH_LOCKOUT_SECONDS.',
    );
  });

  it('takes KITH_STAFF_MFA as optional or required, nothing else', () => {
    expect(loadConfig({ KITH_STAFF_MFA: 'required' }).staffMfaRequired).toBe(true);
    expect(loadConfig({ KITH_STAFF_MFA: 'optional' }).staffMfaRequired).toBe(false);
    expect(configErrorOf({ KITH_STAFF_MFA: 'yes' }).message).toBe('KITH_STAFF_MFA must be optional or required, got "yes".');
  });

  it('returns a frozen object, nested settings included', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.argon2)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});
