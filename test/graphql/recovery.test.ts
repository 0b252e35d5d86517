import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, startKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { type ReceivedMail, startSmtpSink } from '../support/smtp-sink.js';
import { clientToken, CORE, PATCH_OP, scimClient } from '../scim/scim-client.js';
import { REGISTER } from './operations.js';

const START = `mutation($email: String!) { startRecovery(email: $email) }`;
const COMPLETE = `mutation($input: CompleteRecoveryInput!) { completeRecovery(input: $input) }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken } }`;
const ME = `{ me { id } }`;
const PASSWORD = 'the first passphrase';
const NEW_PASSWORD = 'a brand new passphrase';

/** The code in a recovery mail's link. */
const codeIn = (mail: ReceivedMail) => /#code=([A-Za-z0-9_-]{43})\b/.exec(mail.text)?.[1] ?? null;

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let k: TestKith;
beforeAll(async () => {
  sink = await startSmtpSink();
  k = await startKith({ KITH_SMTP_URL: sink.url, KITH_MAIL_FROM: 'Shop <accounts@shop.test>', KITH_RECOVERY_URL: 'https://shop.test/recover' });
});
afterAll(() => sink?.close());

async function registeredWithSession() {
  const email = uniqueEmail();
  await k.ok(REGISTER, { input: { email, password: PASSWORD } });
  const { signIn } = await k.ok(SIGN_IN, { input: { email, password: PASSWORD } });
  return { email, token: signIn.accessToken as string };
}

describe('password recovery', () => {
  it('mails a one-time code that sets a new password and ends every session', async () => {
    const { email, token } = await registeredWithSession();
    expect(await k.ok(START, { email: email.toUpperCase() })).toEqual({ startRecovery: true });
    const [mail] = await sink.mailsTo(email);
    expect(mail).toMatchObject({ from: '"Shop" <accounts@shop.test>', subject: 'Reset your password' });
    expect(mail!.text).toContain('https://shop.test/recover#code=');
    const code = codeIn(mail!);
    expect(code).not.toBeNull();

    expect(await k.ok(COMPLETE, { input: { code, newPassword: NEW_PASSWORD } })).toEqual({ completeRecovery: true });
    // The owner hears of it at the same address, in case it was not them.
    const notice = (await sink.mailsTo(email, 2))[1]!;
    expect(notice.subject).toBe('Your password was changed');
    expect(notice.text).toMatch(/set with a recovery code on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(codeIn(notice)).toBeNull();
    // The session from before is over, the old password is refused, the new one works.
    expect((await k.gql(ME, {}, { token })).status).toBe(401);
    expect((await k.gql(SIGN_IN, { input: { email, password: PASSWORD } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await k.ok(SIGN_IN, { input: { email, password: NEW_PASSWORD } })).signIn.accessToken).toBeTruthy();
    // A code works once.
    const again = await k.gql(COMPLETE, { input: { code, newPassword: 'yet another passphrase' } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
  });

  it('answers the same for an email without an account, and records and mails nothing', async () => {
    const nobody = uniqueEmail();
    const light = uniqueEmail();
    await k.ok(`mutation($input: CaptureInput!) { capture(input: $input) { created } }`, { input: { email: light } });
    for (const email of [nobody, light]) {
      const response = await fetch(k.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: START, variables: { email } }) });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { startRecovery: true } });
    }
    // What the answers left behind is done once the process has settled it.
    await k.kith.services.recovery.settle();
    const { rows } = await k.database.query(
      'select count(*)::int as n from password_recovery_codes r join customers c on c.id = r.customer_id where lower(c.email) = $1',
      [light.toLowerCase()],
    );
    expect(rows).toEqual([{ n: 0 }]);
    expect(sink.mails.filter((m) => m.to === nobody || m.to === light)).toEqual([]);
  });

  it('refuses a code once the account changed its email or password, or was disabled', async () => {
    const CHANGE_EMAIL = `mutation($input: ChangeEmailInput!) { changeEmail(input: $input) { customer { id } } }`;
    const CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`;
    const codeFor = async (email: string) => {
      await k.ok(START, { email });
      await k.kith.services.recovery.settle();
      return codeIn((await sink.mailsTo(email)).at(-1)!);
    };
    const refused = async (code: string | null) => {
      const extensions = (await k.gql(COMPLETE, { input: { code, newPassword: NEW_PASSWORD } })).errors?.[0]?.extensions;
      return extensions?.code === 'BAD_USER_INPUT' && extensions.field === 'code';
    };

    // The old mailbox's code stops working when the address changes.
    const moved = await registeredWithSession();
    const sentToOld = await codeFor(moved.email);
    await k.ok(CHANGE_EMAIL, { input: { newEmail: uniqueEmail() } }, { token: moved.token });
    expect(await refused(sentToOld)).toBe(true);

    // A password set since the code was sent wins.
    const changed = await registeredWithSession();
    const beforeChange = await codeFor(changed.email);
    await k.ok(CHANGE_PASSWORD, { input: { newPassword: 'changed by the owner' } }, { token: changed.token });
    expect(await refused(beforeChange)).toBe(true);

    // Moving away and back to the same address does not bring its codes back.
    const back = await registeredWithSession();
    const beforeMoving = await codeFor(back.email);
    await k.ok(CHANGE_EMAIL, { input: { newEmail: uniqueEmail() } }, { token: back.token });
    await k.ok(CHANGE_EMAIL, { input: { newEmail: back.email } }, { token: back.token });
    expect(await refused(beforeMoving)).toBe(true);

    // Disabling uses the codes up: enabling again does not bring them back.
    const disabled = await registeredWithSession();
    const { id } = (await k.ok(`{ me { id } }`, {}, { token: disabled.token })).me;
    const beforeDisabling = await codeFor(disabled.email);
    await k.ok(`mutation($id: ID!) { disableCustomer(id: $id) { customer { id } } }`, { id }, { as: 'admin' });
    await k.ok(`mutation($id: ID!) { enableCustomer(id: $id) { customer { id } } }`, { id }, { as: 'admin' });
    expect(await refused(beforeDisabling)).toBe(true);
  });

  it('lifts a lockout, and a used code leaves the others of the account used too', async () => {
    const { email } = await registeredWithSession();
    for (let i = 0; i < 5; i += 1) await k.gql(SIGN_IN, { input: { email, password: `wrong guess ${i}` } });
    expect((await k.gql(SIGN_IN, { input: { email, password: PASSWORD } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await k.ok(START, { email });
    await k.ok(START, { email });
    const [first, second] = (await sink.mailsTo(email, 2)).map(codeIn);
    expect(first).not.toBe(second);
    await k.ok(COMPLETE, { input: { code: second, newPassword: NEW_PASSWORD } });
    expect((await k.ok(SIGN_IN, { input: { email, password: NEW_PASSWORD } })).signIn.accessToken).toBeTruthy();
    expect((await k.gql(COMPLETE, { input: { code: first, newPassword: 'yet another passphrase' } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The next code's record takes the used ones away: one row is left, the new one.
    await k.ok(START, { email });
    await k.kith.services.recovery.settle();
    const { rows } = await k.database.query(
      'select r.used_at from password_recovery_codes r join customers c on c.id = r.customer_id where lower(c.email) = $1',
      [email.toLowerCase()],
    );
    expect(rows).toEqual([{ used_at: null }]);
  });

  it('checks the new password against the policy, and keeps the code for a better one', async () => {
    const { email } = await registeredWithSession();
    await k.ok(START, { email });
    const code = codeIn((await sink.mailsTo(email))[0]!);
    const weak = await k.gql(COMPLETE, { input: { code, newPassword: 'password' } });
    expect(weak.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await k.ok(COMPLETE, { input: { code, newPassword: NEW_PASSWORD } })).toEqual({ completeRecovery: true });
  });

  it('refuses a code once SCIM moved the account to another address and back', async () => {
    const scim = scimClient(k, (await clientToken(k, ['PROVISIONING_WRITE'])).token);
    const email = uniqueEmail();
    const { body: user } = await scim.request('POST', '/Users', { schemas: [CORE], userName: `scim-${randomInt(1e9)}`, emails: [{ value: email, type: 'work' }] });
    // The provisioned light account registers, and so gets a password.
    await k.ok(REGISTER, { input: { email, password: PASSWORD } });
    await k.ok(START, { email });
    const code = codeIn((await sink.mailsTo(email))[0]!);
    const moveTo = (value: string) =>
      scim.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[primary eq true].value', value }] });
    expect((await moveTo(uniqueEmail())).status).toBe(200);
    expect((await moveTo(email)).status).toBe(200);
    expect((await k.gql(COMPLETE, { input: { code, newPassword: NEW_PASSWORD } })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
  });

  it('lets only one of two concurrent uses of a code through', async () => {
    const { email } = await registeredWithSession();
    await k.ok(START, { email });
    const code = codeIn((await sink.mailsTo(email))[0]!);
    const both = await Promise.all(['first new passphrase', 'second new passphrase'].map((newPassword) => k.gql(COMPLETE, { input: { code, newPassword } })));
    const codes = both.map((r) => (r.errors ? r.errors[0]!.extensions!.code : 'OK')).sort();
    expect(codes).toEqual(['BAD_USER_INPUT', 'OK']);
  });

  it('lets only one of two codes of one account, used at once, through', async () => {
    const { email } = await registeredWithSession();
    await k.ok(START, { email });
    await k.ok(START, { email });
    const codes = (await sink.mailsTo(email, 2)).map(codeIn);
    const both = await Promise.all(codes.map((code) => k.gql(COMPLETE, { input: { code, newPassword: NEW_PASSWORD } })));
    expect(both.map((r) => (r.errors ? r.errors[0]!.extensions!.code : 'OK')).sort()).toEqual(['BAD_USER_INPUT', 'OK']);
  });

  it('refuses a made-up code', async () => {
    for (const code of ['', 'x'.repeat(201), 'A'.repeat(43)]) {
      const result = await k.gql(COMPLETE, { input: { code, newPassword: NEW_PASSWORD } });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    }
  });

  it('lets a code expire after KITH_RECOVERY_CODE_SECONDS', async () => {
    const clocked = await startClockedKith({ KITH_SMTP_URL: sink.url, KITH_RECOVERY_CODE_SECONDS: '600' });
    try {
      const codeOf = async () => {
        const email = uniqueEmail();
        await clocked.ok(REGISTER, { input: { email, password: PASSWORD } });
        // The clock moves on from the password's time, as it does between a sign-up and a recovery.
        clocked.advance(60_000);
        await clocked.ok(START, { email });
        const [mail] = await sink.mailsTo(email);
        // Without KITH_RECOVERY_URL the mail carries the code alone.
        expect(mail!.text).not.toContain('#code=');
        return { email, code: /\n\n([A-Za-z0-9_-]{43})\n/.exec(mail!.text)?.[1] };
      };
      const early = await codeOf();
      const late = await codeOf();
      clocked.advance(599_000);
      // The first was made a minute before the second: at 599 s the second still works, the first does not.
      expect((await clocked.gql(COMPLETE, { input: { code: early.code, newPassword: NEW_PASSWORD } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await clocked.ok(COMPLETE, { input: { code: late.code, newPassword: NEW_PASSWORD } })).toEqual({ completeRecovery: true });
      expect((await clocked.ok(SIGN_IN, { input: { email: early.email, password: PASSWORD } })).signIn.accessToken).toBeTruthy();
    } finally {
      await clocked.close();
    }
  });

  it('limits requests per email and per address, with 429 and Retry-After', async () => {
    const limited = await startKith({ KITH_SMTP_URL: sink.url, KITH_RECOVERIES_PER_EMAIL: '2', KITH_RECOVERIES_PER_IP: '4', KITH_TRUST_PROXY: '127.0.0.1' });
    const ask = (email: string, ip: string) =>
      fetch(limited.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ query: START, variables: { email } }) });
    // Addresses of this run's own: the counters live in the database, which a later run may share.
    const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const email = uniqueEmail();
    expect((await ask(email, someIp())).status).toBe(200);
    expect((await ask(email, someIp())).status).toBe(200);
    const perEmail = await ask(email, someIp());
    expect(perEmail.status).toBe(429);
    expect(perEmail.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await perEmail.json()) as any).errors[0].message).toMatch(/^Too many recovery attempts/);
    const ip = someIp();
    for (let i = 0; i < 4; i += 1) expect((await ask(uniqueEmail(), ip)).status).toBe(200);
    expect((await ask(uniqueEmail(), ip)).status).toBe(429);
  });

  it('is off without KITH_SMTP_URL: FORBIDDEN, saying why', async () => {
    const off = await startKith({ KITH_RECOVERIES_PER_IP: '1000000' });
    const result = await off.gql(START, { email: uniqueEmail() });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0]?.message).toMatch(/KITH_SMTP_URL/);
  });
});
