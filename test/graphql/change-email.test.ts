import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, signedInCustomer, uniqueEmail } from '../support/kith.js';
import { CAPTURE } from './operations.js';
import { changeEventsOnce } from '../support/change-log.js';

const PASSWORD = 'a passphrase for signing in';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken } }`;
const CHANGE_EMAIL = `mutation($e: EmailAddress!) { changeEmail(input: { newEmail: $e }) { customer { id email emailVerified } } }`;

let k: Awaited<ReturnType<typeof startClockedKith>>;
beforeAll(async () => {
  k = await startClockedKith();
});
afterAll(() => k.close());

const signedIn = () => signedInCustomer(k, PASSWORD);

const errorOf = (result: { errors?: { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions;

describe('changeEmail', () => {
  it('sets the new email, unverified, records the change, and keeps the session', async () => {
    const { email, id, token } = await signedIn();
    const newEmail = uniqueEmail('moved');
    const { changeEmail } = await k.ok(CHANGE_EMAIL, { e: newEmail }, { token });
    expect(changeEmail.customer).toEqual({ id, email: newEmail, emailVerified: false });

    expect(errorOf(await k.gql(SIGN_IN, { input: { email, password: PASSWORD } }))?.code).toBe('UNAUTHENTICATED');
    expect((await k.gql(SIGN_IN, { input: { email: newEmail.toUpperCase(), password: PASSWORD } })).errors).toBeUndefined();
    expect((await k.ok('{ me { email } }', {}, { token })).me.email).toBe(newEmail);

    const events = await changeEventsOnce(k, id, (logged) => logged.at(-1)?.changedFields.join() === 'email,emailVerified');
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'customer.updated', changedFields: ['email', 'emailVerified'], actor: `customer:${id}` });
  });

  it('refuses an email another account has, in any case, even a light one', async () => {
    const { token } = await signedIn();
    const other = await signedIn();
    const conflict = await k.gql(CHANGE_EMAIL, { e: other.email.toUpperCase() }, { token });
    expect(errorOf(conflict)).toMatchObject({ code: 'CONFLICT', field: 'newEmail' });
    const light = uniqueEmail('light');
    await k.ok(CAPTURE, { input: { email: light } });
    expect(errorOf(await k.gql(CHANGE_EMAIL, { e: light }, { token }))?.code).toBe('CONFLICT');
    expect(errorOf(await k.gql(CHANGE_EMAIL, { e: 'not an email' }, { token }))?.code).toBe('BAD_USER_INPUT');
  });

  it('needs a recent step-up', async () => {
    const { refreshToken } = await signedIn();
    k.advance(601_000);
    const { refresh } = await k.ok(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: refreshToken });
    const refused = await k.gql(CHANGE_EMAIL, { e: uniqueEmail() }, { token: refresh.accessToken });
    expect(errorOf(refused)).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['password'] });
    const stepped = (await k.ok(`mutation { stepUp(input: { password: "${PASSWORD}" }) { accessToken } }`, {}, { token: refresh.accessToken })).stepUp;
    expect((await k.gql(CHANGE_EMAIL, { e: uniqueEmail() }, { token: stepped.accessToken })).errors).toBeUndefined();
  });

  it('is for signed-in customers only', async () => {
    expect(errorOf(await k.gql(CHANGE_EMAIL, { e: uniqueEmail() }))?.code).toBe('UNAUTHENTICATED');
    expect(errorOf(await k.gql(CHANGE_EMAIL, { e: uniqueEmail() }, { as: 'admin' }))?.code).toBe('FORBIDDEN');
  });
});
