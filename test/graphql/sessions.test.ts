import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/domain/clock.js';
import { createKith, type Kith } from '../../src/server/app.js';
import { KEY_ENCRYPTION_KEY, startClockedKith, startKith, TEST_LIMITS, type TestKith, uniqueEmail } from '../support/kith.js';
import { CAPTURE, REGISTER } from './operations.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const PASSWORD = 'a passphrase for signing in';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken tokenType expiresIn customer { id email } } }`;
const REFRESH = `mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken customer { id } } }`;
const ME = `{ me { id email consents { purpose { key } status } } viewer { role customerId sessionId } }`;

async function registered(email = uniqueEmail()) {
  const { register } = await k.ok(REGISTER, { input: { email, password: PASSWORD, consents: ['analytics'] } });
  return { email, id: register.customer.id as string };
}

async function signIn(email: string, password = PASSWORD) {
  return k.gql(SIGN_IN, { input: { email, password } });
}

describe('signIn', () => {
  it('returns an EdDSA access token that verifies against the JWKS, and a refresh token', async () => {
    const { email, id } = await registered();
    const { data } = await signIn(email.toUpperCase());
    expect(data?.signIn).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, customer: { id, email } });
    const token = data?.signIn.accessToken as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const jwks = await (await fetch(k.url.replace(/\/graphql$/, '/.well-known/jwks.json'))).json();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), { issuer: 'http://localhost:4000', audience: 'kith' });
    expect(payload).toMatchObject({ sub: id, acr: 'pwd', amr: ['pwd'] });
    expect(typeof payload.sid).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(data?.signIn.refreshToken).toMatch(new RegExp(`^${payload.sid}\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}$`));
  });

  it('lets the customer read their own record, and nobody else\'s', async () => {
    const { email, id } = await registered();
    const other = await registered();
    const token = (await signIn(email)).data?.signIn.accessToken as string;
    const mine = await k.ok(ME, {}, { token });
    expect(mine.me).toEqual({ id, email, consents: [{ purpose: { key: 'analytics' }, status: 'GRANTED' }] });
    expect(mine.viewer).toMatchObject({ role: 'CUSTOMER', customerId: id });
    const theirs = await k.gql(`query($id: ID!) { customer(id: $id) { email } }`, { id: other.id }, { token });
    expect(theirs.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const operatorOnly = await k.gql(`{ customers { edges { node { id } } } }`, {}, { token });
    expect(operatorOnly.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('answers a wrong password, an unknown email and a light account alike', async () => {
    const { email } = await registered();
    const light = uniqueEmail();
    await k.ok(CAPTURE, { input: { email: light } });
    const answers = await Promise.all([signIn(email, 'not the password at all'), signIn(uniqueEmail()), signIn(light)]);
    const shapes = answers.map((a) => ({ status: a.status, code: a.errors?.[0]?.extensions?.code, message: a.errors?.[0]?.message, data: a.data }));
    expect(shapes[0]).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
  });

  it('is one mutation field per public request, so aliased guesses cannot ride together', async () => {
    const { email } = await registered();
    const guesses = `mutation { ${['a', 'b'].map((a) => `${a}: signIn(input: { email: "${email}", password: "guess ${a} guess" }) { accessToken }`).join(' ')} }`;
    const result = await k.gql(guesses);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/at most 1 mutation field/);
  });
});

describe('lockout', () => {
  let at = Date.now();
  const clock: Clock = { now: () => new Date(at) };
  let kith: Kith;
  let url: string;
  const testEnv = { NODE_ENV: 'test', KITH_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY, KITH_ARGON2_MEMORY_KIB: '8192', KITH_ARGON2_ITERATIONS: '1', ...TEST_LIMITS };
  beforeAll(async () => {
    kith = await createKith(loadConfig(testEnv), { database: k.database, clock });
    url = `${await kith.app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
  });
  afterAll(() => kith?.close());
  const post = async (email: string, password: string, to = url) =>
    (await fetch(to, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: SIGN_IN, variables: { input: { email, password } } }) }).then((r) => r.json())) as any;

  it('locks after 5 failures in a row, for 5 minutes, then twice as long', async () => {
    const { email } = await registered();
    for (let i = 0; i < 5; i += 1) expect((await post(email, `wrong guess ${i}`)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await post(email, PASSWORD)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    at += 299_000;
    expect((await post(email, PASSWORD)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    at += 2_000;
    for (let i = 0; i < 5; i += 1) await post(email, `wrong again ${i}`);
    at += 301_000;
    expect((await post(email, PASSWORD)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    at += 300_000;
    const ok = await post(email, PASSWORD);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.signIn.accessToken).toBeTruthy();
  });

  it('counts concurrent guesses before checking them, so a burst cannot pass the lock', async () => {
    const { email } = await registered();
    const burst = await Promise.all(Array.from({ length: 9 }, (_, i) => post(email, `parallel wrong ${i}`)));
    expect(burst.every((r) => r.errors[0].extensions.code === 'UNAUTHENTICATED')).toBe(true);
    // Five failures locked the account while the others were in flight: the right password waits too.
    expect((await post(email, PASSWORD)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    at += 301_000;
    expect((await post(email, PASSWORD)).errors).toBeUndefined();
  });

  it('takes its count and lengths from KITH_LOCKOUT_ATTEMPTS, KITH_LOCKOUT_SECONDS and KITH_LOCKOUT_MAX_SECONDS', async () => {
    const env = { KITH_LOCKOUT_ATTEMPTS: '2', KITH_LOCKOUT_SECONDS: '60', KITH_LOCKOUT_MAX_SECONDS: '90' };
    const strict = await createKith(loadConfig({ ...testEnv, ...env }), { database: k.database, clock });
    try {
      const strictUrl = `${await strict.app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
      const { email } = await registered();
      const codeOf = async (password: string) => (await post(email, password, strictUrl)).errors?.[0]?.extensions?.code;
      expect(await codeOf('wrong guess one')).toBe('UNAUTHENTICATED');
      expect(await codeOf('wrong guess two')).toBe('UNAUTHENTICATED');
      // Two failures locked it for 60 seconds.
      expect(await codeOf(PASSWORD)).toBe('UNAUTHENTICATED');
      at += 61_000;
      for (const guess of ['wrong guess three', 'wrong guess four']) await codeOf(guess);
      // The second lock would last 120 seconds; KITH_LOCKOUT_MAX_SECONDS caps it at 90.
      at += 89_000;
      expect(await codeOf(PASSWORD)).toBe('UNAUTHENTICATED');
      at += 2_000;
      expect(await codeOf(PASSWORD)).toBeUndefined();
    } finally {
      await strict.close();
    }
  });

  it('ends a session at its absolute lifetime: its last access token stops working and it is not listed', async () => {
    const env = { KITH_SESSION_IDLE_SECONDS: '1800', KITH_SESSION_MAX_SECONDS: '3600' };
    const short = await createKith(loadConfig({ ...testEnv, ...env }), { database: k.database, clock });
    try {
      const shortUrl = `${await short.app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
      const call = async (query: string, variables: Record<string, unknown>, token?: string) => {
        const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
        const response = await fetch(shortUrl, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
        return { status: response.status, body: (await response.json()) as any };
      };
      const { email } = await registered();
      const first = (await post(email, PASSWORD, shortUrl)).data.signIn;
      at += 25 * 60_000;
      const second = (await call(REFRESH, { t: first.refreshToken })).body.data.refresh;
      at += 30 * 60_000;
      // 55 minutes in: refreshed once more, its access token good until 65 minutes.
      const third = (await call(REFRESH, { t: second.refreshToken })).body.data.refresh;
      const other = (await post(email, PASSWORD, shortUrl)).data.signIn;
      const listed = async () => (await call(`{ me { sessions { id } } }`, {}, other.accessToken)).body.data.me.sessions.map((s: { id: string }) => s.id);
      expect(await listed()).toHaveLength(2);
      // Accepted just before the end, so the process has the session in its principal cache.
      at += 4 * 60_000 + 50_000;
      expect((await call(ME, {}, third.accessToken)).status).toBe(200);
      at += 20_000;
      expect((await call(ME, {}, third.accessToken)).status).toBe(401);
      expect(await listed()).toEqual([decodeJwt(other.accessToken).sid]);
    } finally {
      await short.close();
    }
  });

  it('counts among the other sessions it ends only those still alive', async () => {
    const short = await createKith(loadConfig({ ...testEnv, KITH_SESSION_IDLE_SECONDS: '1800' }), { database: k.database, clock });
    try {
      const shortUrl = `${await short.app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
      const revokeOthers = async (token: string) => {
        const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
        const response = await fetch(shortUrl, { method: 'POST', headers, body: JSON.stringify({ query: 'mutation { revokeOtherSessions }' }) });
        return ((await response.json()) as any).data.revokeOtherSessions;
      };
      const { email } = await registered();
      // Left idle past its 30 minutes: it has ended already, though nothing has marked it yet.
      const idle = decodeJwt((await post(email, PASSWORD, shortUrl)).data.signIn.accessToken).sid;
      at += 31 * 60_000;
      const phone = (await post(email, PASSWORD, shortUrl)).data.signIn.accessToken as string;
      const laptop = (await post(email, PASSWORD, shortUrl)).data.signIn.accessToken as string;
      expect(await revokeOthers(laptop)).toBe(1);
      // It is marked all the same, with the others.
      const { rows } = await k.database.query('select revoke_reason from sessions where id = $1', [idle]);
      expect(rows).toEqual([{ revoke_reason: 'revoked_others' }]);
      expect((await fetch(shortUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${phone}` }, body: JSON.stringify({ query: ME }) })).status).toBe(401);
      expect(await revokeOthers(laptop)).toBe(0);
    } finally {
      await short.close();
    }
  });

  it('refuses a token once it has expired', async () => {
    const { email } = await registered();
    const token = (await post(email, PASSWORD)).data.signIn.accessToken as string;
    const me = (t: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ query: ME }) });
    expect((await me(token)).status).toBe(200);
    at += 601_000;
    expect((await me(token)).status).toBe(401);
  });
});

describe('refresh and sign-out', () => {
  it('refreshes when the active key cannot be read again, signing with the key read before', async () => {
    const own = await startClockedKith({ LOG_LEVEL: 'silent' }, { ownDatabase: true });
    try {
      const email = uniqueEmail();
      await own.ok(REGISTER, { input: { email, password: PASSWORD } });
      const { accessToken, refreshToken } = (await own.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn;
      // The read of the active key fails as the process reads it again (as in a database blip): the
      // rotation of the refresh token is written by then, so a failed signature would end the session.
      await own.database.query('update signing_keys set retired_at = now()', []);
      own.advance(11_000);
      const { refresh } = await own.ok(REFRESH, { t: refreshToken });
      expect(decodeProtectedHeader(refresh.accessToken).kid).toBe(decodeProtectedHeader(accessToken).kid);
      expect((await own.ok(REFRESH, { t: refresh.refreshToken })).refresh.refreshToken).not.toBe(refresh.refreshToken);
    } finally {
      await own.close();
    }
  });

  it('refuses a refresh token made up around a session id, and the session goes on', async () => {
    const { email } = await registered();
    const { accessToken, refreshToken } = (await signIn(email)).data?.signIn;
    const { sid } = decodeJwt(accessToken) as { sid: string };
    const [, secret, tag] = (refreshToken as string).split('.');
    const forgeries = [`${sid}.${'A'.repeat(43)}`, `${sid}.${'A'.repeat(43)}.${'A'.repeat(43)}`, `${sid}.${secret}.${'A'.repeat(43)}`, `${sid}.${'A'.repeat(43)}.${tag}`];
    for (const forged of forgeries) expect((await k.gql(REFRESH, { t: forged })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The access token still works, and so does the real refresh token.
    expect((await k.gql(ME, {}, { token: accessToken })).status).toBe(200);
    await k.ok(REFRESH, { t: refreshToken });
  });

  it('still takes a refresh token issued before tokens had a tag, and knows its predecessor as reuse', async () => {
    const { email } = await registered();
    const { accessToken } = (await signIn(email)).data?.signIn;
    const { sid } = decodeJwt(accessToken) as { sid: string };
    const [older, current] = [`${sid}.${'a'.repeat(43)}`, `${sid}.${'b'.repeat(43)}`];
    const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');
    await k.database.query('update sessions set refresh_hash = $1, previous_refresh_hash = $2 where id = $3', [sha256(current), sha256(older), sid]);
    const rotated = (await k.ok(REFRESH, { t: current })).refresh;
    expect(rotated.refreshToken.split('.')).toHaveLength(3);
    // The untagged token before the current one is reuse all the same: the session ends.
    await k.database.query('update sessions set refresh_hash = $1, previous_refresh_hash = $2 where id = $3', [sha256(current), sha256(older), sid]);
    expect((await k.gql(REFRESH, { t: older })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await k.gql(REFRESH, { t: current })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rotates the refresh token; presenting a used one ends the session', async () => {
    const { email, id } = await registered();
    const first = (await signIn(email)).data?.signIn;
    const second = (await k.ok(REFRESH, { t: first.refreshToken })).refresh;
    expect(second.customer).toEqual({ id });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(decodeJwt(second.accessToken).sid).toBe(decodeJwt(first.accessToken).sid);
    expect((await k.gql(ME, {}, { token: second.accessToken })).status).toBe(200);

    const reused = await k.gql(REFRESH, { t: first.refreshToken });
    expect(reused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await k.gql(ME, {}, { token: second.accessToken })).status).toBe(401);
    expect((await k.gql(REFRESH, { t: second.refreshToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ends the session when a token from any earlier rotation comes back, however old', async () => {
    const { email } = await registered();
    const first = (await signIn(email)).data?.signIn;
    const second = (await k.ok(REFRESH, { t: first.refreshToken })).refresh;
    const third = (await k.ok(REFRESH, { t: second.refreshToken })).refresh;
    expect((await k.gql(REFRESH, { t: first.refreshToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await k.gql(REFRESH, { t: third.refreshToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await k.gql(ME, {}, { token: third.accessToken })).status).toBe(401);
  });

  it('signs out: the access token stops working on the next request', async () => {
    const { email } = await registered();
    const { accessToken, refreshToken } = (await signIn(email)).data?.signIn;
    expect(await k.ok(`mutation { signOut }`, {}, { token: accessToken })).toEqual({ signOut: true });
    const after = await k.gql(ME, {}, { token: accessToken });
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.message).toMatch(/session has ended/);
    expect((await k.gql(REFRESH, { t: refreshToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ends the sessions of a disabled account for good: re-enabling brings no old token back', async () => {
    const { email, id } = await registered();
    const { accessToken, refreshToken } = (await signIn(email)).data?.signIn;
    await k.ok(`mutation($id: ID!) { disableCustomer(id: $id) { customer { status } } }`, { id }, { as: 'admin' });
    expect((await k.gql(ME, {}, { token: accessToken })).status).toBe(401);
    await k.ok(`mutation($id: ID!) { enableCustomer(id: $id) { customer { status } } }`, { id }, { as: 'admin' });
    expect((await k.gql(ME, {}, { token: accessToken })).status).toBe(401);
    expect((await k.gql(REFRESH, { t: refreshToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await signIn(email)).data?.signIn.accessToken).toBeTruthy();
  });

  it('lets a signed-in customer sign in as another and read who they became', async () => {
    const a = await registered();
    const b = await registered();
    const tokenA = (await signIn(a.email)).data?.signIn.accessToken as string;
    const asB = await k.gql(SIGN_IN, { input: { email: b.email, password: PASSWORD } }, { token: tokenA });
    expect(asB.errors).toBeUndefined();
    expect(asB.data?.signIn.customer).toEqual({ id: b.id, email: b.email });
  });
});

describe('the customer\'s sessions', () => {
  const SESSIONS = `{ me { sessions { id current userAgent ip authenticationMethods createdAt lastUsedAt } } }`;
  const signInAs = async (email: string, userAgent: string) => {
    const response = await fetch(k.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': userAgent },
      body: JSON.stringify({ query: SIGN_IN, variables: { input: { email, password: PASSWORD } } }),
    });
    return ((await response.json()) as any).data.signIn.accessToken as string;
  };

  it('lists them, marks the current one, and ends the others', async () => {
    const { email } = await registered();
    const phone = await signInAs(email, 'Phone/1.0');
    const laptop = await signInAs(email, 'Laptop/2.0');
    const { me } = await k.ok(SESSIONS, {}, { token: laptop });
    expect(me.sessions.map((s: any) => [s.userAgent, s.current, s.authenticationMethods])).toEqual([
      ['Laptop/2.0', true, ['pwd']],
      ['Phone/1.0', false, ['pwd']],
    ]);
    expect(me.sessions[0].ip).toBe('127.0.0.1');
    expect(await k.ok(`mutation { revokeOtherSessions }`, {}, { token: laptop })).toEqual({ revokeOtherSessions: 1 });
    expect((await k.gql(ME, {}, { token: phone })).status).toBe(401);
    expect((await k.ok(SESSIONS, {}, { token: laptop })).me.sessions).toHaveLength(1);
  });

  it('ends one by id: their own as a customer, anyone\'s as the operator', async () => {
    const a = await registered();
    const b = await registered();
    const tokenA = (await signIn(a.email)).data?.signIn.accessToken as string;
    const tokenB = (await signIn(b.email)).data?.signIn.accessToken as string;
    const sidB = decodeJwt(tokenB).sid as string;
    const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) }`;
    expect(await k.ok(REVOKE, { id: sidB }, { token: tokenA })).toEqual({ revokeSession: false });
    expect((await k.gql(ME, {}, { token: tokenB })).status).toBe(200);
    expect(await k.ok(REVOKE, { id: sidB }, { as: 'admin' })).toEqual({ revokeSession: true });
    expect((await k.gql(ME, {}, { token: tokenB })).status).toBe(401);
    const sidA = decodeJwt(tokenA).sid as string;
    expect(await k.ok(REVOKE, { id: sidA }, { token: tokenA })).toEqual({ revokeSession: true });
    expect((await k.gql(ME, {}, { token: tokenA })).status).toBe(401);
  });
});

describe('forged and altered tokens are refused with 401', () => {
  let genuine: string;
  beforeAll(async () => {
    const { email } = await registered();
    genuine = (await signIn(email)).data?.signIn.accessToken as string;
  });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const [header, payload] = [() => decodeProtectedHeader(genuine), () => decodeJwt(genuine)];

  it.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload())}.`],
    ['a tampered payload', () => `${genuine.split('.')[0]}.${b64({ ...payload(), sub: '00000000-0000-4000-8000-000000000000' })}.${genuine.split('.')[2]}`],
    ['HS256 signed with the public key', async () => {
      const jwks = (await (await fetch(k.url.replace(/\/graphql$/, '/.well-known/jwks.json'))).json()) as { keys: { kid: string; x: string }[] };
      const key = jwks.keys.find((j) => j.kid === header().kid)!;
      return new SignJWT(payload()).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' }).sign(Buffer.from(key.x, 'base64url'));
    }],
    ['an unknown key', async () => {
      const { privateKey } = await generateKeyPair('Ed25519');
      return new SignJWT(payload()).setProtectedHeader({ alg: 'EdDSA', kid: 'not-a-kith-key', typ: 'at+jwt' }).sign(privateKey);
    }],
  ])('%s', async (_label, forge) => {
    const token = await forge();
    const result = await k.gql(ME, {}, { token });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  // Signed with Kith's own active key, so only the claims are wrong: each must still be refused.
  const signedByKith = async (claims: Record<string, unknown>, typ = 'at+jwt') => {
    const { kid, key } = await k.kith.signingKeys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...payload(), iat: now, exp: now + 300, ...claims }).setProtectedHeader({ alg: 'EdDSA', kid, typ }).sign(key);
  };
  it('accepts a token built this way with the genuine claims (the control for the cases below)', async () => {
    expect((await k.gql(ME, {}, { token: await signedByKith({}) })).status).toBe(200);
  });

  it.each([
    ['not yet valid (nbf in the future)', () => signedByKith({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['expiring later than any token Kith issues', () => signedByKith({ exp: Math.floor(Date.now() / 1000) + 3 * 86_400 })],
    ['a customer token presented as a staff token', () => signedByKith({ kith_kind: 'staff', ver: 0, role: 'ADMIN' })],
    ['a customer token presented as a client token', () => signedByKith({ kith_kind: 'client', ver: 0, client_id: payload().sub, scope: 'customers:read' })],
    ['an unknown kind of token', () => signedByKith({ kith_kind: 'operator' })],
    ['a customer token without its session', () => signedByKith({ sid: undefined })],
    ['a customer token of a session that is not theirs', () => signedByKith({ sub: '00000000-0000-4000-8000-000000000000' })],
    ['another typ', () => signedByKith({}, 'JWT')],
  ])('a token signed by Kith but %s', async (_label, forge) => {
    const result = await k.gql(ME, {}, { token: await forge() });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['another issuer', { KITH_ISSUER: 'https://evil.example' }],
    ['another audience', { KITH_AUDIENCE: 'someone-else' }],
  ])('a genuine Kith key with %s', async (_label, env) => {
    const other = await startKith(env);
    const { email } = await registered();
    const foreign = (await other.gql(SIGN_IN, { input: { email, password: PASSWORD } })).data?.signIn.accessToken as string;
    expect((await k.gql(ME, {}, { token: foreign })).status).toBe(401);
  });
});
