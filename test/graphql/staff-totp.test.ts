import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { loadConfig } from '../../src/config/config.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, KEY_ENCRYPTION_KEY, startClockedKith, uniqueEmail } from '../support/kith.js';
import { issuedAtMs, totpApp, totpCode } from '../support/totp.js';

const PASSWORD = 'a staff passphrase for totp tests';
const SIGN_IN = `mutation($input: StaffSignInInput!) { staffSignIn(input: $input) { accessToken staffMember { id totpEnabled } } }`;
const ENROLL = `mutation($p: String!) { enrollStaffTotp(currentPassword: $p) { sharedKey otpauthUri qrCodeDataUrl } }`;
const CONFIRM = `mutation($code: String!) { confirmStaffTotp(code: $code) { accessToken staffMember { id totpEnabled } } }`;
const REMOVE = `mutation($p: String!) { removeStaffTotp(currentPassword: $p) { accessToken staffMember { totpEnabled } } }`;
const RESET = `mutation($id: ID!) { resetStaffTotp(id: $id) { id totpEnabled } }`;
const STAFF = `{ staffMembers { id totpEnabled } }`;
const VIEWER = `{ viewer { role staffId } }`;

type Clocked = Awaited<ReturnType<typeof startClockedKith>>;
let k: Clocked;
const app = totpApp(() => k);
const { codeOf, wrongCodeOf, advance } = app;

beforeAll(async () => {
  k = await startClockedKith();
  app.setNow(issuedAtMs(await k.staffToken('admin')));
});
afterAll(() => k.close());


const errorOf = (result: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions;
const acrOf = (token: string) => decodeJwt(token) as { acr: string; amr: string[] };

/** A new member of `role` on `on`, signed in with the password. */
async function member(role: 'AGENT' | 'ADMIN' = 'AGENT', on: Clocked = k) {
  const email = uniqueEmail('staff-totp');
  const { createStaffMember } = await on.ok(
    `mutation($input: CreateStaffMemberInput!) { createStaffMember(input: $input) { id } }`,
    { input: { email, name: 'TOTP member', role, initialPassword: PASSWORD } },
    { as: 'admin' },
  );
  const { staffSignIn } = await on.ok(SIGN_IN, { input: { email, password: PASSWORD } });
  return { email, id: createStaffMember.id as string, token: staffSignIn.accessToken as string };
}

/** A member with a confirmed TOTP; the clock is then one step on, so the next code is a new one. */
async function withTotp(role: 'AGENT' | 'ADMIN' = 'AGENT') {
  const m = await member(role);
  const { sharedKey } = (await k.ok(ENROLL, { p: PASSWORD }, { token: m.token })).enrollStaffTotp;
  const { confirmStaffTotp } = await k.ok(CONFIRM, { code: codeOf(sharedKey) }, { token: m.token });
  advance(30_000);
  return { ...m, sharedKey: sharedKey as string, token: confirmStaffTotp.accessToken as string };
}

describe('a staff member enrols a TOTP', () => {
  it('proves the password again, confirms with a first code, and from then on signs in with a code', async () => {
    const m = await member();
    const wrongPassword = await k.gql(ENROLL, { p: 'not the passphrase' }, { token: m.token });
    expect(errorOf(wrongPassword)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });

    const { enrollStaffTotp } = await k.ok(ENROLL, { p: PASSWORD }, { token: m.token });
    expect(enrollStaffTotp.otpauthUri).toMatch(new RegExp(`^otpauth://totp/Kith:${encodeURIComponent(m.email)}\\?`));
    expect(enrollStaffTotp.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    const { sharedKey } = enrollStaffTotp;
    // Pending: not on yet, and the password alone still signs in.
    expect((await k.ok(STAFF, {}, { as: 'admin' })).staffMembers.find((s: { id: string }) => s.id === m.id)).toEqual({ id: m.id, totpEnabled: false });
    expect((await k.ok(SIGN_IN, { input: { email: m.email, password: PASSWORD } })).staffSignIn.staffMember.totpEnabled).toBe(false);

    const wrong = await k.gql(CONFIRM, { code: wrongCodeOf(sharedKey) }, { token: m.token });
    expect(errorOf(wrong)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    const { confirmStaffTotp } = await k.ok(CONFIRM, { code: codeOf(sharedKey) }, { token: m.token });
    expect(confirmStaffTotp.staffMember).toEqual({ id: m.id, totpEnabled: true });
    expect(acrOf(confirmStaffTotp.accessToken)).toMatchObject({ acr: 'mfa', amr: ['pwd', 'otp'] });
    // Turning it on ends the tokens signed in without it; the new one works.
    expect((await k.gql(VIEWER, {}, { token: m.token })).status).toBe(401);
    expect((await k.ok(VIEWER, {}, { token: confirmStaffTotp.accessToken })).viewer).toEqual({ role: 'AGENT', staffId: m.id });
    expect(errorOf(await k.gql(CONFIRM, { code: codeOf(sharedKey, 1) }, { token: confirmStaffTotp.accessToken }))?.code).toBe('CONFLICT');
    expect(errorOf(await k.gql(ENROLL, { p: PASSWORD }, { token: confirmStaffTotp.accessToken }))?.code).toBe('CONFLICT');

    advance(30_000);
    const noCode = await k.gql(SIGN_IN, { input: { email: m.email, password: PASSWORD } });
    expect(errorOf(noCode)).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['totp'] });
    expect(noCode.data).toBeNull();
    const signedIn = await k.ok(SIGN_IN, { input: { email: m.email, password: PASSWORD, totp: codeOf(sharedKey) } });
    expect(acrOf(signedIn.staffSignIn.accessToken)).toMatchObject({ acr: 'mfa', amr: ['pwd', 'otp'] });
  });

  it('refuses a wrong code, a code used once already, and any code after a wrong password', async () => {
    const m = await withTotp();
    const code = codeOf(m.sharedKey);
    const wrongPassword = await k.gql(SIGN_IN, { input: { email: m.email, password: 'not the passphrase', totp: code } });
    const unknown = await k.gql(SIGN_IN, { input: { email: uniqueEmail('nobody'), password: 'not the passphrase', totp: code } });
    expect(wrongPassword.errors).toEqual(unknown.errors);
    expect(errorOf(wrongPassword)?.code).toBe('UNAUTHENTICATED');

    const wrongCode = await k.gql(SIGN_IN, { input: { email: m.email, password: PASSWORD, totp: wrongCodeOf(m.sharedKey) } });
    expect(errorOf(wrongCode)?.code).toBe('UNAUTHENTICATED');
    expect(wrongCode.errors?.[0]?.message).toMatch(/code is wrong/);
    await k.ok(SIGN_IN, { input: { email: m.email, password: PASSWORD, totp: code } });
    expect(errorOf(await k.gql(SIGN_IN, { input: { email: m.email, password: PASSWORD, totp: code } }))?.code).toBe('UNAUTHENTICATED');
    // Neither is an older code of the window once a newer one was used.
    expect(errorOf(await k.gql(SIGN_IN, { input: { email: m.email, password: PASSWORD, totp: codeOf(m.sharedKey, -1) } }))?.code).toBe('UNAUTHENTICATED');
  });

  it('lets one of two sign-ins with the same code through, whichever comes first', async () => {
    const m = await withTotp();
    const input = { email: m.email, password: PASSWORD, totp: codeOf(m.sharedKey) };
    const answers = await Promise.all([k.gql(SIGN_IN, { input }), k.gql(SIGN_IN, { input })]);
    expect(answers.map((a) => errorOf(a)?.code ?? 'ok').sort()).toEqual(['UNAUTHENTICATED', 'ok']);
  });

  it('locks the TOTP after 5 wrong codes, right codes included, for 5 minutes', async () => {
    const m = await withTotp();
    for (let i = 0; i < 5; i += 1) {
      expect(errorOf(await k.gql(SIGN_IN, { input: { email: m.email, password: PASSWORD, totp: wrongCodeOf(m.sharedKey) } }))?.code).toBe('UNAUTHENTICATED');
    }
    expect(errorOf(await k.gql(SIGN_IN, { input: { email: m.email, password: PASSWORD, totp: codeOf(m.sharedKey) } }))?.code).toBe('UNAUTHENTICATED');
    advance(300_000);
    await k.ok(SIGN_IN, { input: { email: m.email, password: PASSWORD, totp: codeOf(m.sharedKey) } });
  });
});

describe('limits on confirming', () => {
  it('counts every code tried at confirmation against the member\'s sign-in limit', async () => {
    const limited = await startClockedKith({ KITH_SIGNIN_ATTEMPTS_PER_ACCOUNT: '3' }, { ownDatabase: true });
    try {
      // The sign-in and the enrolment's password are the first two attempts.
      const m = await member('AGENT', limited);
      const { sharedKey } = (await limited.ok(ENROLL, { p: PASSWORD }, { token: m.token })).enrollStaffTotp;
      expect(errorOf(await limited.gql(CONFIRM, { code: wrongCodeOf(sharedKey) }, { token: m.token }))?.code).toBe('BAD_USER_INPUT');
      expect(errorOf(await limited.gql(CONFIRM, { code: codeOf(sharedKey) }, { token: m.token }))?.code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

describe('taking a TOTP away', () => {
  it('the member removes their own with the password: every token ends and the password alone signs in again', async () => {
    const m = await withTotp();
    expect(errorOf(await k.gql(REMOVE, { p: 'not the passphrase' }, { token: m.token }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const { removeStaffTotp } = await k.ok(REMOVE, { p: PASSWORD }, { token: m.token });
    expect(removeStaffTotp.staffMember.totpEnabled).toBe(false);
    expect(acrOf(removeStaffTotp.accessToken)).toMatchObject({ acr: 'pwd', amr: ['pwd'] });
    expect((await k.gql(VIEWER, {}, { token: m.token })).status).toBe(401);
    await k.ok(SIGN_IN, { input: { email: m.email, password: PASSWORD } });
    expect(errorOf(await k.gql(REMOVE, { p: PASSWORD }, { token: removeStaffTotp.accessToken }))?.code).toBe('NOT_FOUND');
  });

  it('an administrator resets a lost one, ending the member\'s tokens', async () => {
    const m = await withTotp();
    expect((await k.ok(RESET, { id: m.id }, { as: 'admin' })).resetStaffTotp).toEqual({ id: m.id, totpEnabled: false });
    expect((await k.gql(VIEWER, {}, { token: m.token })).status).toBe(401);
    await k.ok(SIGN_IN, { input: { email: m.email, password: PASSWORD } });
    expect(errorOf(await k.gql(RESET, { id: m.id }, { as: 'admin' }))?.code).toBe('NOT_FOUND');
    // Their own goes with removeStaffTotp, which asks for the password.
    const admin = await withTotp('ADMIN');
    expect(errorOf(await k.gql(RESET, { id: admin.id }, { token: admin.token }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('npm run kith -- admin reset-totp does the same from a terminal, for the last administrator', async () => {
    const m = await withTotp('ADMIN');
    const config = loadConfig({ NODE_ENV: 'test', KITH_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY });
    const output = await runCli(['admin', 'reset-totp', '--email', m.email.toUpperCase()], { config, database: k.database });
    expect(output).toBe(`TOTP of ${m.email} removed and their tokens ended: they sign in with the password alone until they enrol again.`);
    expect((await k.gql(VIEWER, {}, { token: m.token })).status).toBe(401);
    await k.ok(SIGN_IN, { input: { email: m.email, password: PASSWORD } });
    await expect(runCli(['admin', 'reset-totp', '--email', m.email], { config, database: k.database })).rejects.toThrow('This staff member has no TOTP.');
    await expect(runCli(['admin', 'reset-totp', '--email', uniqueEmail('nobody')], { config, database: k.database })).rejects.toThrow(/^No staff member has the email/);
  });
});

describe('KITH_STAFF_MFA=required', () => {
  let own: Clocked;
  let token: string;
  beforeAll(async () => {
    // A database of its own: its administrator is the one who must enrol.
    own = await startClockedKith({ KITH_STAFF_MFA: 'required' }, { ownDatabase: true });
    token = (await own.ok(SIGN_IN, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).staffSignIn.accessToken;
  });
  afterAll(() => own.close());

  it('serves a token without a TOTP proof as the public: whatever needs staff says to enrol', async () => {
    expect((await own.ok(`{ viewer { role staffId } }`, {}, { token })).viewer).toEqual({ role: 'PUBLIC', staffId: null });
    for (const query of [STAFF, `{ customers(first: 1) { edges { node { id } } } }`, `mutation { unlockCustomer(id: "00000000-0000-4000-8000-000000000000") }`]) {
      const refused = await own.gql(query, {}, { token });
      expect(errorOf(refused)?.code, query).toBe('FORBIDDEN');
      expect(refused.errors?.[0]?.message, query).toMatch(/enrollStaffTotp/);
    }
  });

  it('gives such a token no administrator rights through public mutations, nor any customer\'s fields', async () => {
    const victim = uniqueEmail('victim');
    await own.ok(`mutation($i: RegisterInput!) { register(input: $i) { created } }`, { i: { email: victim, password: 'a customer passphrase for this test' } });
    // An administrator may capture with another consent source; this token may not.
    const sourced = await own.gql(`mutation($i: CaptureInput!) { capture(input: $i) { created } }`, { i: { email: victim, consentSource: 'IMPORT' } }, { token });
    expect(errorOf(sourced)?.code).toBe('FORBIDDEN');
    // It sees what an anonymous form sees of the account it captured into: the id.
    const captured = await own.gql(`mutation($i: CaptureInput!) { capture(input: $i) { customer { id email } } }`, { i: { email: victim } }, { token });
    expect(captured.data?.capture.customer.id).toEqual(expect.any(String));
    expect(captured.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['capture.customer.email', 'FORBIDDEN']]);
  });

  it('lets such a token enrol, confirm and sign out; the confirmation\'s token acts as staff', async () => {
    const member = await own.ok(
      `mutation($input: CreateStaffMemberInput!) { createStaffMember(input: $input) { id } }`,
      { input: { email: uniqueEmail('required'), name: 'Must enrol', role: 'AGENT', initialPassword: PASSWORD } },
      { token: await enrolledAdminToken() },
    );
    const email = (await own.ok(`{ staffMembers { id email } }`, {}, { token: await enrolledAdminToken() })).staffMembers.find((m: { id: string }) => m.id === member.createStaffMember.id).email;
    const codeless = (await own.ok(SIGN_IN, { input: { email, password: PASSWORD } })).staffSignIn.accessToken;
    expect((await own.ok(`mutation { staffSignOut }`, {}, { token: codeless })).staffSignOut).toBe(true);
    expect((await own.gql(VIEWER, {}, { token: codeless })).status).toBe(401);
    const again = (await own.ok(SIGN_IN, { input: { email, password: PASSWORD } })).staffSignIn.accessToken;
    const { sharedKey } = (await own.ok(ENROLL, { p: PASSWORD }, { token: again })).enrollStaffTotp;
    const { confirmStaffTotp } = await own.ok(CONFIRM, { code: totpCode(sharedKey, issuedAtMs(again)) }, { token: again });
    expect(confirmStaffTotp.staffMember).toEqual({ id: member.createStaffMember.id, totpEnabled: true });
    expect((await own.ok(VIEWER, {}, { token: confirmStaffTotp.accessToken })).viewer).toEqual({ role: 'AGENT', staffId: member.createStaffMember.id });
  });

  /** The administrator's token after enrolling a TOTP, once for the file. */
  let enrolled: Promise<string> | undefined;
  function enrolledAdminToken(): Promise<string> {
    enrolled ??= (async () => {
      const { sharedKey } = (await own.ok(ENROLL, { p: ADMIN_PASSWORD }, { token })).enrollStaffTotp;
      return (await own.ok(CONFIRM, { code: totpCode(sharedKey, issuedAtMs(token)) }, { token })).confirmStaffTotp.accessToken as string;
    })();
    return enrolled;
  }
});
