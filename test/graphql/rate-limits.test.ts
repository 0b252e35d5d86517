import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { clientToken } from '../scim/scim-client.js';
import { CAPTURE, REGISTER } from './operations.js';

// Low limits, and the client IP taken from X-Forwarded-For (the test is the trusted proxy on 127.0.0.1),
// so each test has an address of its own.
let k: TestKith;
beforeAll(async () => {
  k = await startKith({ KITH_SIGNIN_ATTEMPTS_PER_IP: '6', KITH_SIGNIN_ATTEMPTS_PER_ACCOUNT: '3', KITH_TRUST_PROXY: '127.0.0.1' });
});

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken } }`;
const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

async function attemptOn(email: string, password: string, ip: string, query = SIGN_IN, on = k) {
  const response = await fetch(on.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ query, variables: { input: { email, password } } }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
}
const attempt = (email: string, password: string, ip: string) => attemptOn(email, password, ip);

describe('sign-in rate limits', () => {
  it('limits attempts per account, right password included, with 429 and Retry-After', async () => {
    const email = uniqueEmail();
    await k.ok(REGISTER, { input: { email, password: 'the right passphrase' } });
    for (let i = 0; i < 3; i += 1) expect((await attempt(email, `wrong ${i} passphrase`, someIp())).status).toBe(200);
    const limited = await attempt(email.toUpperCase(), 'the right passphrase', someIp());
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.body.errors[0].extensions.retryAfter).toBeGreaterThan(0);
    expect(Number(limited.retryAfter)).toBe(limited.body.errors[0].extensions.retryAfter);
  });

  it('limits attempts per client IP across accounts, and other addresses are unaffected', async () => {
    const ip = someIp();
    for (let i = 0; i < 6; i += 1) expect((await attempt(uniqueEmail(), 'any passphrase here', ip)).status).toBe(200);
    const limited = await attempt(uniqueEmail(), 'any passphrase here', ip);
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await attempt(uniqueEmail(), 'any passphrase here', someIp())).status).toBe(200);
  });

  it('stores no email or IP address in clear: each counter is keyed by an HMAC of them', async () => {
    const [email, ip] = [uniqueEmail(), someIp()];
    expect((await attempt(email, 'any passphrase here', ip)).status).toBe(200);
    // Every counter in the table, other tests' too (on PostgreSQL they share it).
    const keys = await counterKeys();
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys.filter((key) => key.includes(email.toLowerCase()) || key.includes(ip))).toEqual([]);
    for (const key of keys) expect(key).toMatch(/^kith:[a-z-]+:[A-Za-z0-9_-]{43}$/);
  });
});

describe('registration rate limit', () => {
  it('limits registrations per client IP, a taken email included, before any hash', async () => {
    // A Kith of its own for the low limit: registrations from 127.0.0.1 elsewhere share the counter.
    const r = await startKith({ KITH_REGISTRATIONS_PER_IP: '3', KITH_TRUST_PROXY: '127.0.0.1' });
    const attempt = (email: string, password: string, ip: string, query: string) => attemptOn(email, password, ip, query, r);
    const ip = someIp();
    const taken = uniqueEmail();
    expect((await attempt(taken, 'a passphrase to register', ip, REGISTER)).body.data.register.created).toBe(true);
    expect((await attempt(taken, 'a passphrase to register', ip, REGISTER)).body.errors[0].extensions.code).toBe('CONFLICT');
    expect((await attempt(uniqueEmail(), 'a passphrase to register', ip, REGISTER)).status).toBe(200);
    const email = uniqueEmail();
    const limited = await attempt(email, 'a passphrase to register', ip, REGISTER);
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.body.errors[0].message).toMatch(/^Too many registration attempts/);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    // Nothing was written for the refused one, and another address may still register it.
    const other = await attempt(email, 'a passphrase to register', someIp(), REGISTER);
    expect(other.body.data.register.created).toBe(true);
  });
});

describe('capture rate limit', () => {
  it('limits captures per client IP for the public and customers, not for staff or service clients', async () => {
    const r = await startKith({ KITH_CAPTURES_PER_IP: '3', KITH_TRUST_PROXY: '127.0.0.1' });
    const captureFrom = async (ip: string, email: string, token?: string) => {
      const headers = { 'content-type': 'application/json', 'x-forwarded-for': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) };
      const response = await fetch(r.url, { method: 'POST', headers, body: JSON.stringify({ query: CAPTURE, variables: { input: { email } } }) });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
    };
    const ip = someIp();
    // A malformed capture is refused before it counts.
    expect((await captureFrom(ip, 'not an email')).body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    for (let i = 0; i < 3; i += 1) expect((await captureFrom(ip, uniqueEmail())).body.data.capture.created).toBe(true);
    const email = uniqueEmail();
    const limited = await captureFrom(ip, email);
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.body.errors[0].message).toMatch(/^Too many capture attempts/);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    // Nothing was written for the refused one: from another address it is new.
    expect((await captureFrom(someIp(), email)).body.data.capture.created).toBe(true);

    // A signed-in customer at that address is a form too; staff and service clients answer for their writes.
    const customer = uniqueEmail();
    await r.ok(REGISTER, { input: { email: customer, password: 'a passphrase to register' } });
    const signedIn = await r.ok(`mutation($input: SignInInput!) { signIn(input: $input) { accessToken } }`, { input: { email: customer, password: 'a passphrase to register' } });
    expect((await captureFrom(ip, uniqueEmail(), signedIn.signIn.accessToken)).status).toBe(429);
    expect((await captureFrom(ip, uniqueEmail(), await r.staffToken('agent'))).body.data.capture.created).toBe(true);
    expect((await captureFrom(ip, uniqueEmail(), (await clientToken(r, ['PROVISIONING_WRITE'])).token)).body.data.capture.created).toBe(true);
  });

  it('counts the captures of a staff token served as the public (KITH_STAFF_MFA=required, no code)', async () => {
    const r = await startKith({ KITH_CAPTURES_PER_IP: '1', KITH_STAFF_MFA: 'required', KITH_TRUST_PROXY: '127.0.0.1' });
    const token = await r.staffToken('admin');
    const captureFrom = async (ip: string) => {
      const headers = { 'content-type': 'application/json', 'x-forwarded-for': ip, authorization: `Bearer ${token}` };
      const response = await fetch(r.url, { method: 'POST', headers, body: JSON.stringify({ query: CAPTURE, variables: { input: { email: uniqueEmail() } } }) });
      return { status: response.status, body: (await response.json()) as any };
    };
    const ip = someIp();
    expect((await captureFrom(ip)).body.data.capture.created).toBe(true);
    const limited = await captureFrom(ip);
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0].extensions.code).toBe('RATE_LIMITED');
  });
});

describe('a process with passwords waiting', () => {
  it('refuses sign-ins past its queue of hashes, before they count against the lockout', async () => {
    // Slow hashes (64 MiB, three passes), one at a time, and one more waiting.
    const r = await startKith({ KITH_HASH_CONCURRENCY: '1', KITH_HASH_QUEUE_LIMIT: '1', KITH_ARGON2_MEMORY_KIB: '65536', KITH_ARGON2_ITERATIONS: '3' });
    const email = uniqueEmail();
    // The hashes a process starts with (its dummy hash, a first administrator) may still fill the queue: register once they are done.
    for (let tries = 0; ; tries += 1) {
      const { body } = await attemptOn(email, 'the right passphrase', someIp(), REGISTER, r);
      if (body.data?.register) break;
      expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(tries).toBeLessThan(50);
      await sleep(100);
    }
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => attemptOn(email, `wrong ${i} passphrase`, someIp(), SIGN_IN, r)));
    const refused = burst.filter((b) => b.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const b of refused) {
      expect(b.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
      expect(b.body.errors[0].message).toMatch(/^Too many passwords are being checked right now/);
      expect(b.retryAfter).toBe('1');
    }
    const checked = burst.filter((b) => b.status === 200);
    expect(checked.map((b) => b.body.errors[0].extensions.code)).toEqual(Array(8 - refused.length).fill('UNAUTHENTICATED'));
    // Eight wrong passwords in a row would have locked the account (five do); the refused ones never counted.
    expect((await attemptOn(email, 'the right passphrase', someIp(), SIGN_IN, r)).body.data.signIn.accessToken).toBeTruthy();
  });
});

async function counterKeys(): Promise<string[]> {
  const { rows } = await k.database.query('select key from rate_limit_counters', []);
  return rows.map((row) => String(row.key));
}
