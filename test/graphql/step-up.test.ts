import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, uniqueEmail } from '../support/kith.js';
import { REGISTER } from './operations.js';

const PASSWORD = 'a passphrase for signing in';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken } }`;
const STEP_UP = `mutation($input: StepUpInput!) { stepUp(input: $input) { accessToken tokenType expiresIn acr authenticationMethods authenticatedAt } }`;
const CHANGE_PASSWORD = `mutation($p: String!) { changePassword(input: { newPassword: $p }) }`;

let k: Awaited<ReturnType<typeof startClockedKith>>;
beforeAll(async () => {
  k = await startClockedKith({ KITH_STEP_UP_WINDOW_SECONDS: '600' });
});
afterAll(() => k.close());

async function signedIn() {
  const email = uniqueEmail();
  const { register } = await k.ok(REGISTER, { input: { email, password: PASSWORD } });
  const { signIn } = await k.ok(SIGN_IN, { input: { email, password: PASSWORD } });
  return { email, id: register.customer.id as string, token: signIn.accessToken as string, refreshToken: signIn.refreshToken as string };
}

describe('step-up before sensitive actions', () => {
  it('lets a fresh sign-in change the password, which ends the other sessions', async () => {
    const { email, token } = await signedIn();
    const other = (await k.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn;
    expect((await k.ok(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token })).changePassword).toBe(true);
    expect((await k.gql(SIGN_IN, { input: { email, password: PASSWORD } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await k.gql(SIGN_IN, { input: { email, password: 'a brand new passphrase' } })).errors).toBeUndefined();
    expect((await k.gql('{ me { id } }', {}, { token: other.accessToken })).status).toBe(401);
    expect((await k.gql('{ me { id } }', {}, { token })).errors).toBeUndefined();
  });

  it('refuses a stale proof with STEP_UP_REQUIRED, and accepts it after stepUp with the password', async () => {
    const { id, refreshToken } = await signedIn();
    k.advance(601_000);
    const refreshed = (await k.ok(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: refreshToken })).refresh;
    const refused = await k.gql(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token: refreshed.accessToken });
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['password'] });
    const methods = await k.ok(`{ me { stepUpMethods } }`, {}, { token: refreshed.accessToken });
    expect(methods.me.stepUpMethods).toEqual(['password']);

    const stepped = (await k.ok(STEP_UP, { input: { password: PASSWORD } }, { token: refreshed.accessToken })).stepUp;
    expect(stepped).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, acr: 'pwd', authenticationMethods: ['pwd'] });
    const claims = decodeJwt(stepped.accessToken);
    expect(claims).toMatchObject({ sub: id, acr: 'pwd', amr: ['pwd'] });
    expect(claims.auth_time).toBe(Math.floor(new Date(stepped.authenticatedAt).getTime() / 1000));
    expect((await k.ok(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token: stepped.accessToken })).changePassword).toBe(true);
  });

  it('refuses a wrong password at step-up, and counts it towards the lockout', async () => {
    const { token } = await signedIn();
    for (let i = 0; i < 5; i += 1) {
      const wrong = await k.gql(STEP_UP, { input: { password: `wrong ${i}` } }, { token });
      expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    }
    // Locked now: even the right password is refused until the lock ends.
    expect((await k.gql(STEP_UP, { input: { password: PASSWORD } }, { token })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('needs exactly one proof, and only a signed-in customer may step up', async () => {
    const { token } = await signedIn();
    expect((await k.gql(STEP_UP, { input: {} }, { token })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
    expect((await k.gql(STEP_UP, { input: { password: PASSWORD } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await k.gql(CHANGE_PASSWORD, { p: 'a brand new passphrase' })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('checks the new password against the policy', async () => {
    const { token, email } = await signedIn();
    const weak = await k.gql(CHANGE_PASSWORD, { p: 'password' }, { token });
    expect(weak.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const same = await k.gql(CHANGE_PASSWORD, { p: email }, { token });
    expect(same.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('step-up and the session lifetimes', () => {
  it('cannot carry a session past its absolute lifetime', async () => {
    const short = await startClockedKith({ KITH_SESSION_MAX_SECONDS: '300', KITH_ACCESS_TOKEN_TTL_SECONDS: '240' });
    try {
      const email = uniqueEmail();
      await short.ok(REGISTER, { input: { email, password: PASSWORD } });
      let { accessToken: token } = (await short.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn;
      short.advance(200_000);
      token = (await short.ok(STEP_UP, { input: { password: PASSWORD } }, { token })).stepUp.accessToken;
      short.advance(200_000);
      // 400 s after sign-in, past the 300 s maximum: the fresh token from the last step-up cannot renew it.
      const late = await short.gql(STEP_UP, { input: { password: PASSWORD } }, { token });
      expect(late.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await short.close();
    }
  });
});
