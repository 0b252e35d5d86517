import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, startKith, signedInCustomer, uniqueEmail } from '../support/kith.js';
import { recoveryCodes, totpFactors } from '../../src/store/tables/index.js';
import { changeEventsOnce } from '../support/change-log.js';
import { issuedAtMs, totpApp } from '../support/totp.js';
import { REGISTER } from './operations.js';

const PASSWORD = 'a passphrase for signing in';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken } }`;
const STEP_UP = `mutation($input: StepUpInput!) { stepUp(input: $input) { accessToken acr authenticationMethods } }`;
const CHANGE_PASSWORD = `mutation($p: String!) { changePassword(input: { newPassword: $p }) }`;
const ENROLL = `mutation { enrollTotp { sharedKey otpauthUri qrCodeDataUrl } }`;
const CONFIRM = `mutation($code: String!) { confirmTotp(code: $code) { recoveryCodes stepUp { accessToken acr authenticationMethods } } }`;
const REMOVE = `mutation { removeTotp }`;
const REGENERATE = `mutation { regenerateRecoveryCodes { recoveryCodes } }`;
const FACTORS = `{ me { totpEnabled recoveryCodesRemaining stepUpMethods } }`;

let k: Awaited<ReturnType<typeof startClockedKith>>;
const app = totpApp(() => k);
const { codeOf, wrongCodeOf, advance } = app;

beforeAll(async () => {
  k = await startClockedKith();
  const email = uniqueEmail();
  await k.ok(REGISTER, { input: { email, password: PASSWORD } });
  app.setNow(issuedAtMs((await k.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn.accessToken));
});
afterAll(() => k.close());


const errorOf = (result: { errors?: { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions;

const signedIn = () => signedInCustomer(k, PASSWORD);

/** A customer with a confirmed TOTP; the clock is then one step on, so the next code is a new one. */
async function withTotp() {
  const customer = await signedIn();
  const { sharedKey } = (await k.ok(ENROLL, {}, { token: customer.token })).enrollTotp;
  const { confirmTotp } = await k.ok(CONFIRM, { code: codeOf(sharedKey) }, { token: customer.token });
  advance(30_000);
  return { ...customer, sharedKey: sharedKey as string, recoveryCodes: confirmTotp.recoveryCodes as string[], mfaToken: confirmTotp.stepUp.accessToken as string };
}

/** A new session of the customer, proved by the password alone. */
async function passwordOnly(email: string) {
  return (await k.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn as { accessToken: string; refreshToken: string };
}

describe('TOTP enrolment', () => {
  it('returns the key, its otpauth URI and a QR code, and turns on with a first code', async () => {
    const { email, id, token } = await signedIn();
    const enrollment = (await k.ok(ENROLL, {}, { token })).enrollTotp;
    expect(enrollment.sharedKey).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrollment.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Kith:${email}`);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ issuer: 'Kith', secret: enrollment.sharedKey, algorithm: 'SHA1', digits: '6', period: '30' });
    expect(enrollment.qrCodeDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    // Pending: not a factor yet.
    expect((await k.ok(FACTORS, {}, { token })).me).toEqual({ totpEnabled: false, recoveryCodesRemaining: 0, stepUpMethods: ['password'] });

    const wrong = await k.gql(CONFIRM, { code: wrongCodeOf(enrollment.sharedKey) }, { token });
    expect(errorOf(wrong)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    const { confirmTotp } = await k.ok(CONFIRM, { code: codeOf(enrollment.sharedKey) }, { token });
    expect(confirmTotp.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmTotp.recoveryCodes).size).toBe(10);
    for (const code of confirmTotp.recoveryCodes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect(confirmTotp.stepUp).toMatchObject({ acr: 'mfa', authenticationMethods: ['pwd', 'otp'] });
    expect(decodeJwt(confirmTotp.stepUp.accessToken)).toMatchObject({ sub: id, acr: 'mfa', amr: ['pwd', 'otp'] });
    expect((await k.ok(FACTORS, {}, { token })).me).toEqual({ totpEnabled: true, recoveryCodesRemaining: 10, stepUpMethods: ['totp', 'recovery_code'] });

    // The log shows a change once every older transaction has ended: on PostgreSQL other test files' may still run.
    const isConfirmation = (fields: string[]) => fields.join() === 'credentials.totp,credentials.recoveryCodes';
    const events = await changeEventsOnce(k, id, (logged) => logged.some((event) => isConfirmation(event.changedFields)));
    expect(events.map((event) => event.changedFields)).toContainEqual(['credentials.totp', 'credentials.recoveryCodes']);
  });

  it('replaces a pending enrolment, and refuses a new one while TOTP is on', async () => {
    const { token } = await signedIn();
    const first = (await k.ok(ENROLL, {}, { token })).enrollTotp;
    const second = (await k.ok(ENROLL, {}, { token })).enrollTotp;
    expect(second.sharedKey).not.toBe(first.sharedKey);
    expect(errorOf(await k.gql(CONFIRM, { code: codeOf(first.sharedKey) }, { token }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    const { confirmTotp } = await k.ok(CONFIRM, { code: codeOf(second.sharedKey) }, { token });
    const mfa = confirmTotp.stepUp.accessToken;
    expect(errorOf(await k.gql(ENROLL, {}, { token: mfa }))?.code).toBe('CONFLICT');
    expect(errorOf(await k.gql(CONFIRM, { code: codeOf(second.sharedKey, 1) }, { token: mfa }))?.code).toBe('CONFLICT');
  });

  it('needs a recent step-up to enrol', async () => {
    const { refreshToken } = await signedIn();
    advance(601_000);
    const { refresh } = await k.ok(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: refreshToken });
    expect(errorOf(await k.gql(ENROLL, {}, { token: refresh.accessToken }))).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['password'] });
  });
});

describe('step-up with TOTP', () => {
  it('is the only way to a sensitive action once TOTP is on: the password is no longer enough', async () => {
    const { email, id, sharedKey } = await withTotp();
    const { accessToken } = await passwordOnly(email);
    expect(errorOf(await k.gql(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token: accessToken }))).toEqual({
      code: 'STEP_UP_REQUIRED',
      methods: ['totp', 'recovery_code'],
    });
    const byPassword = (await k.ok(STEP_UP, { input: { password: PASSWORD } }, { token: accessToken })).stepUp;
    expect(byPassword.acr).toBe('pwd');
    expect(errorOf(await k.gql(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token: byPassword.accessToken }))?.code).toBe('STEP_UP_REQUIRED');

    const byTotp = (await k.ok(STEP_UP, { input: { totp: codeOf(sharedKey) } }, { token: byPassword.accessToken })).stepUp;
    expect(byTotp).toMatchObject({ acr: 'mfa', authenticationMethods: ['pwd', 'otp'] });
    expect(decodeJwt(byTotp.accessToken)).toMatchObject({ sub: id, acr: 'mfa', amr: ['pwd', 'otp'], auth_time: Math.floor(app.now() / 1000) });
    expect((await k.ok(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token: byTotp.accessToken })).changePassword).toBe(true);
  });

  it('refuses a code used already, and a code from two steps ago', async () => {
    const { email, sharedKey } = await withTotp();
    const { accessToken: token } = await passwordOnly(email);
    // Three steps past the confirmation, codes two steps either side were never used, yet are too far.
    advance(90_000);
    for (const steps of [-2, 2]) {
      expect(errorOf(await k.gql(STEP_UP, { input: { totp: codeOf(sharedKey, steps) } }, { token }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'totp' });
    }
    const code = codeOf(sharedKey);
    expect((await k.ok(STEP_UP, { input: { totp: code } }, { token })).stepUp.acr).toBe('mfa');
    expect(errorOf(await k.gql(STEP_UP, { input: { totp: code } }, { token }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'totp' });
    // The previous step's code is inside the window but older than the one just used.
    expect(errorOf(await k.gql(STEP_UP, { input: { totp: codeOf(sharedKey, -1) } }, { token }))?.code).toBe('BAD_USER_INPUT');
    advance(60_000);
    // The previous step's code is within the window now, and newer than the last one used.
    expect((await k.ok(STEP_UP, { input: { totp: codeOf(sharedKey, -1) } }, { token })).stepUp.acr).toBe('mfa');
  });

  it('lets only one of two concurrent requests with one code pass', async () => {
    const { email, sharedKey } = await withTotp();
    const { accessToken: token } = await passwordOnly(email);
    const code = codeOf(sharedKey);
    const results = await Promise.all([1, 2].map(() => k.gql(STEP_UP, { input: { totp: code } }, { token })));
    expect(results.filter((result) => result.errors === undefined)).toHaveLength(1);
    expect(results.map((result) => errorOf(result)?.code).filter(Boolean)).toEqual(['BAD_USER_INPUT']);
  });

  it('locks the TOTP after five wrong codes, for five minutes', async () => {
    const { email, sharedKey } = await withTotp();
    const { accessToken: token } = await passwordOnly(email);
    const wrong = wrongCodeOf(sharedKey);
    for (let i = 0; i < 5; i += 1) {
      expect(errorOf(await k.gql(STEP_UP, { input: { totp: wrong } }, { token }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'totp' });
    }
    expect(errorOf(await k.gql(STEP_UP, { input: { totp: codeOf(sharedKey) } }, { token }))?.code).toBe('BAD_USER_INPUT');
    advance(299_000);
    expect(errorOf(await k.gql(STEP_UP, { input: { totp: codeOf(sharedKey) } }, { token }))?.code).toBe('BAD_USER_INPUT');
    advance(2_000);
    const fresh = await passwordOnly(email);
    expect((await k.ok(STEP_UP, { input: { totp: codeOf(sharedKey) } }, { token: fresh.accessToken })).stepUp.acr).toBe('mfa');
  });

  it('keeps acr mfa across a refresh: the session stores it', async () => {
    const { email, sharedKey } = await withTotp();
    const session = await passwordOnly(email);
    await k.ok(STEP_UP, { input: { totp: codeOf(sharedKey) } }, { token: session.accessToken });
    const { refresh } = await k.ok(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: session.refreshToken });
    expect(decodeJwt(refresh.accessToken)).toMatchObject({ acr: 'mfa', amr: ['pwd', 'otp'] });
    expect((await k.ok(REGENERATE, {}, { token: refresh.accessToken })).regenerateRecoveryCodes.recoveryCodes).toHaveLength(10);
  });
});

describe('recovery codes', () => {
  it('each works once, whatever its case, dashes and spaces', async () => {
    const { email, recoveryCodes } = await withTotp();
    const { accessToken: token } = await passwordOnly(email);
    const typed = ` ${recoveryCodes[3]!.toUpperCase().replace('-', ' - ')} `;
    const stepped = (await k.ok(STEP_UP, { input: { recoveryCode: typed } }, { token })).stepUp;
    expect(stepped).toMatchObject({ acr: 'mfa', authenticationMethods: ['pwd', 'otp'] });
    expect(errorOf(await k.gql(STEP_UP, { input: { recoveryCode: recoveryCodes[3] } }, { token }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recoveryCode' });
    expect(errorOf(await k.gql(STEP_UP, { input: { recoveryCode: 'not a code' } }, { token }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recoveryCode' });
    expect((await k.ok(FACTORS, {}, { token })).me.recoveryCodesRemaining).toBe(9);
  });

  it('regenerating needs a step-up and ends every earlier code', async () => {
    const { email, recoveryCodes, mfaToken } = await withTotp();
    const { accessToken: passwordToken } = await passwordOnly(email);
    expect(errorOf(await k.gql(REGENERATE, {}, { token: passwordToken }))?.code).toBe('STEP_UP_REQUIRED');
    const fresh = (await k.ok(REGENERATE, {}, { token: mfaToken })).regenerateRecoveryCodes.recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => recoveryCodes.includes(code))).toBe(false);
    expect(errorOf(await k.gql(STEP_UP, { input: { recoveryCode: recoveryCodes[0] } }, { token: passwordToken }))?.code).toBe('BAD_USER_INPUT');
    expect((await k.ok(STEP_UP, { input: { recoveryCode: fresh[0] } }, { token: passwordToken })).stepUp.acr).toBe('mfa');
  });
});

describe('removing TOTP', () => {
  it('needs a step-up with a second factor, and takes the recovery codes with it', async () => {
    const { email, sharedKey, recoveryCodes, mfaToken } = await withTotp();
    const { accessToken: passwordToken } = await passwordOnly(email);
    expect(errorOf(await k.gql(REMOVE, {}, { token: passwordToken }))).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['totp', 'recovery_code'] });
    expect((await k.ok(REMOVE, {}, { token: mfaToken })).removeTotp).toBe(true);
    expect((await k.ok(FACTORS, {}, { token: mfaToken })).me).toEqual({ totpEnabled: false, recoveryCodesRemaining: 0, stepUpMethods: ['password'] });
    expect(errorOf(await k.gql(STEP_UP, { input: { totp: codeOf(sharedKey) } }, { token: passwordToken }))?.code).toBe('BAD_USER_INPUT');
    expect(errorOf(await k.gql(STEP_UP, { input: { recoveryCode: recoveryCodes[0] } }, { token: passwordToken }))?.code).toBe('BAD_USER_INPUT');
    expect(errorOf(await k.gql(REMOVE, {}, { token: mfaToken }))?.code).toBe('NOT_FOUND');
  });
});

describe('who may touch second factors', () => {
  it("keeps one customer's factors from another; support sees only whether they are on", async () => {
    const owner = await withTotp();
    const other = await signedIn();
    // The other customer's calls act on their own account only: the owner's code proves nothing for them.
    expect(errorOf(await k.gql(STEP_UP, { input: { totp: codeOf(owner.sharedKey) } }, { token: other.token }))).toMatchObject({ field: 'totp' });
    expect(errorOf(await k.gql(STEP_UP, { input: { recoveryCode: owner.recoveryCodes[0] } }, { token: other.token }))?.code).toBe('BAD_USER_INPUT');
    expect(errorOf(await k.gql(REMOVE, {}, { token: other.token }))?.code).toBe('NOT_FOUND');
    // ...and the owner's code and recovery code are still unused.
    const { accessToken } = await passwordOnly(owner.email);
    expect((await k.ok(STEP_UP, { input: { totp: codeOf(owner.sharedKey) } }, { token: accessToken })).stepUp.acr).toBe('mfa');
    expect((await k.ok(FACTORS, {}, { token: accessToken })).me.recoveryCodesRemaining).toBe(10);
    const asAgent = await k.ok(`query($id: ID!) { customer(id: $id) { totpEnabled recoveryCodesRemaining } }`, { id: owner.id }, { as: 'agent' });
    expect(asAgent.customer).toEqual({ totpEnabled: true, recoveryCodesRemaining: 10 });
    const asOther = await k.gql(`query($id: ID!) { customer(id: $id) { totpEnabled } }`, { id: owner.id }, { token: other.token });
    expect(errorOf(asOther)?.code).toBe('FORBIDDEN');
  });

  it('tells the public to sign in', async () => {
    for (const operation of [ENROLL, REMOVE, REGENERATE]) expect(errorOf(await k.gql(operation))?.code).toBe('UNAUTHENTICATED');
    expect(errorOf(await k.gql(CONFIRM, { code: '123456' }))?.code).toBe('UNAUTHENTICATED');
    expect(errorOf(await k.gql(STEP_UP, { input: { totp: '123456' } }))?.code).toBe('UNAUTHENTICATED');
  });
});

describe('what the database holds', () => {
  it('keeps the TOTP key sealed and the recovery codes only as hashes', async () => {
    const { id, sharedKey, recoveryCodes: codes } = await withTotp();
    const [totp] = await k.database.db.select().from(totpFactors).where(eq(totpFactors.customerId, id));
    expect(totp!.sealedSecret.split('.')).toHaveLength(5);
    expect(totp!.sealedSecret).not.toContain(sharedKey);
    const stored = await k.database.db.select().from(recoveryCodes).where(eq(recoveryCodes.customerId, id));
    expect(stored).toHaveLength(10);
    const plain = codes.map((code) => code.replace('-', ''));
    for (const row of stored) expect(plain.some((code) => row.codeHash.includes(code))).toBe(false);
  });
});

describe('the shared per-account limit', () => {
  it('counts every code, right or wrong, with the password step-ups', async () => {
    const limited = await startKith({ KITH_SIGNIN_ATTEMPTS_PER_ACCOUNT: '3' });
    const email = uniqueEmail();
    await limited.ok(REGISTER, { input: { email, password: PASSWORD } });
    const { accessToken: token } = (await limited.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn;
    const { sharedKey } = (await limited.ok(ENROLL, {}, { token })).enrollTotp;
    const now = () => TOTP.generate({ secret: Secret.fromBase32(sharedKey) });
    await limited.ok(CONFIRM, { code: now() }, { token });
    const wrong = String((Number(now()) + 500_000) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 2; i += 1) expect(errorOf(await limited.gql(STEP_UP, { input: { totp: wrong } }, { token }))?.code).toBe('BAD_USER_INPUT');
    expect(errorOf(await limited.gql(STEP_UP, { input: { recoveryCode: 'abcde-fghij' } }, { token }))?.code).toBe('RATE_LIMITED');
  });
});
