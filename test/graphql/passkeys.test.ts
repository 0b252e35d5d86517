import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CeremonyContext, SoftwareAuthenticator } from '../support/webauthn-authenticator.js';
import { signedInCustomer, startClockedKith, startKith } from '../support/kith.js';

// The defaults: RP ID `localhost`, the issuer's origin (KITH_ISSUER defaults to http://localhost:4000).
const ORIGIN = 'http://localhost:4000';
const PASSWORD = 'a passphrase for signing in';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken } }`;
const START_REGISTRATION = `mutation { startPasskeyRegistration { options expiresAt } }`;
const FINISH_REGISTRATION = `mutation($input: FinishPasskeyRegistrationInput!) {
  finishPasskeyRegistration(input: $input) { id name createdAt lastUsedAt transports deviceType backedUp aaguid } }`;
const START_STEP_UP = `mutation { startPasskeyStepUp { options expiresAt } }`;
const STEP_UP = `mutation($input: StepUpInput!) { stepUp(input: $input) { accessToken acr authenticationMethods authenticatedAt } }`;
const PASSKEYS = `{ me { stepUpMethods passkeys { id name lastUsedAt } } }`;
const RENAME = `mutation($id: ID!, $name: String!) { renamePasskey(id: $id, name: $name) { id name } }`;
const REMOVE = `mutation($id: ID!) { removePasskey(id: $id) }`;
const CHANGE_PASSWORD = `mutation($p: String!) { changePassword(input: { newPassword: $p }) }`;

let k: Awaited<ReturnType<typeof startClockedKith>>;
beforeAll(async () => {
  k = await startClockedKith();
});
afterAll(() => k.close());

const signedIn = () => signedInCustomer(k, PASSWORD);

async function registerPasskey(token: string, authenticator: SoftwareAuthenticator, name = 'Laptop', format: 'none' | 'packed' = 'none') {
  const { options } = (await k.ok(START_REGISTRATION, {}, { token })).startPasskeyRegistration;
  const response = authenticator.create(options, { origin: ORIGIN, format });
  return (await k.ok(FINISH_REGISTRATION, { input: { response, name } }, { token })).finishPasskeyRegistration;
}

/** Asks for a challenge and answers it with the authenticator; returns the raw result and the assertion sent. */
async function passkeyStepUp(token: string, authenticator: SoftwareAuthenticator, ctx: Partial<CeremonyContext> & { credentialId?: string } = {}) {
  const { options } = (await k.ok(START_STEP_UP, {}, { token })).startPasskeyStepUp;
  const assertion = authenticator.get(options, { origin: ORIGIN, ...ctx });
  return { result: await k.gql(STEP_UP, { input: { passkey: assertion } }, { token }), assertion };
}

/** A signed-in customer with one passkey, and a token stepped up with it (acr mfa). */
async function withPasskey() {
  const customer = await signedIn();
  const authenticator = new SoftwareAuthenticator();
  const passkey = await registerPasskey(customer.token, authenticator);
  const { result } = await passkeyStepUp(customer.token, authenticator);
  return { ...customer, authenticator, passkey, mfaToken: result.data!.stepUp.accessToken as string };
}

function refusal(result: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) {
  expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'passkey' });
  return result.errors![0]!.message;
}

describe('passkeys: registration and step-up', () => {
  it('registers a passkey and steps up with it to acr mfa, amr hwk', async () => {
    const { id, token } = await signedIn();
    const authenticator = new SoftwareAuthenticator();
    const { options, expiresAt } = (await k.ok(START_REGISTRATION, {}, { token })).startPasskeyRegistration;
    expect(options).toMatchObject({ rp: { id: 'localhost', name: 'Kith' }, excludeCredentials: [], authenticatorSelection: { userVerification: 'required' } });
    const response = authenticator.create(options, { origin: ORIGIN });
    const passkey = (await k.ok(FINISH_REGISTRATION, { input: { response, name: ' Work laptop ' } }, { token })).finishPasskeyRegistration;
    expect(passkey).toMatchObject({ name: 'Work laptop', lastUsedAt: null, transports: ['internal'], deviceType: 'singleDevice', backedUp: false });
    expect(new Date(expiresAt).getTime() - new Date(passkey.createdAt).getTime()).toBe(5 * 60_000);
    expect(passkey.aaguid.replaceAll('-', '')).toBe(authenticator.aaguid.toString('hex'));
    expect((await k.ok(PASSKEYS, {}, { token })).me).toEqual({ stepUpMethods: ['passkey'], passkeys: [{ id: passkey.id, name: 'Work laptop', lastUsedAt: null }] });

    const { options: request } = (await k.ok(START_STEP_UP, {}, { token })).startPasskeyStepUp;
    expect(request).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [{ id: response.id, type: 'public-key' }] });
    const assertion = authenticator.get(request, { origin: ORIGIN });
    const stepped = (await k.ok(STEP_UP, { input: { passkey: assertion } }, { token })).stepUp;
    expect(stepped).toMatchObject({ acr: 'mfa', authenticationMethods: ['pwd', 'hwk'] });
    expect(decodeJwt(stepped.accessToken)).toMatchObject({ sub: id, acr: 'mfa', amr: ['pwd', 'hwk'] });

    // A second passkey, with packed self-attestation: the first is excluded, and both are listed.
    k.advance(1000);
    const { options: second } = (await k.ok(START_REGISTRATION, {}, { token: stepped.accessToken })).startPasskeyRegistration;
    expect(second.excludeCredentials).toEqual([{ id: response.id, type: 'public-key', transports: ['internal'] }]);
    const packed = authenticator.create(second, { origin: ORIGIN, format: 'packed' });
    await k.ok(FINISH_REGISTRATION, { input: { response: packed, name: 'Phone' } }, { token: stepped.accessToken });
    expect((await k.ok(PASSKEYS, {}, { token })).me.passkeys.map((p: { name: string }) => p.name)).toEqual(['Work laptop', 'Phone']);
  });

  it('refuses a packed attestation whose signature does not match', async () => {
    const { token } = await signedIn();
    const { options } = (await k.ok(START_REGISTRATION, {}, { token })).startPasskeyRegistration;
    const response = new SoftwareAuthenticator().create(options, { origin: ORIGIN, format: 'packed' });
    // Registering it under another origin's client data breaks the self-attestation signature over it.
    const forged = { ...response, response: { ...response.response, clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: ORIGIN, crossOrigin: true })).toString('base64url') } };
    expect(refusal(await k.gql(FINISH_REGISTRATION, { input: { response: forged, name: 'Key' } }, { token }))).toMatch(/could not be registered: the attestation did not verify/);
    expect((await k.ok(PASSKEYS, {}, { token })).me.passkeys).toEqual([]);
  });

  it('once a passkey is registered, STEP_UP_REQUIRED names it and the password no longer suffices', async () => {
    const { token } = await signedIn();
    const authenticator = new SoftwareAuthenticator();
    await registerPasskey(token, authenticator);
    const refused = await k.gql(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token });
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['passkey'] });
    const withPassword = (await k.ok(STEP_UP, { input: { password: PASSWORD } }, { token })).stepUp;
    expect(withPassword.acr).toBe('pwd');
    const still = await k.gql(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token: withPassword.accessToken });
    expect(still.errors?.[0]?.extensions?.code).toBe('STEP_UP_REQUIRED');
    const { result } = await passkeyStepUp(token, authenticator);
    expect((await k.ok(CHANGE_PASSWORD, { p: 'a brand new passphrase' }, { token: result.data!.stepUp.accessToken })).changePassword).toBe(true);
  });

  it('needs a step-up to add a passkey, and refuses one already registered', async () => {
    const { token, refreshToken, authenticator, mfaToken } = await withPasskey();
    expect((await k.gql(START_REGISTRATION, {}, { token })).errors?.[0]?.extensions).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['passkey'] });
    const { options } = (await k.ok(START_REGISTRATION, {}, { token: mfaToken })).startPasskeyRegistration;
    const again = authenticator.create(options, { origin: ORIGIN, credentialId: authenticator.credentialIds()[0]! });
    const duplicate = await k.gql(FINISH_REGISTRATION, { input: { response: again, name: 'Again' } }, { token: mfaToken });
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'passkey' });
    // Past the step-up window, even the session that started a ceremony must step up again.
    k.advance(601_000);
    const fresh = (await k.ok(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: refreshToken })).refresh.accessToken;
    expect((await k.gql(FINISH_REGISTRATION, { input: { response: again, name: 'Again' } }, { token: fresh })).errors?.[0]?.extensions?.code).toBe('STEP_UP_REQUIRED');
  });
});

describe('passkeys: refused assertions', () => {
  it('refuses a replayed assertion: each challenge works once', async () => {
    const { token, authenticator } = await withPasskey();
    const { result, assertion } = await passkeyStepUp(token, authenticator);
    expect(result.errors).toBeUndefined();
    expect(refusal(await k.gql(STEP_UP, { input: { passkey: assertion } }, { token }))).toMatch(/No passkey challenge is waiting.*startPasskeyStepUp/);
    // With a new challenge issued, the old assertion answers the wrong one.
    await k.ok(START_STEP_UP, {}, { token });
    expect(refusal(await k.gql(STEP_UP, { input: { passkey: assertion } }, { token }))).toMatch(/could not be verified.*challenge/i);
  });

  it('refuses an expired challenge, and one from another session', async () => {
    const { email, token, authenticator } = await withPasskey();
    const { options } = (await k.ok(START_STEP_UP, {}, { token })).startPasskeyStepUp;
    k.advance(5 * 60_000 + 1);
    expect(refusal(await k.gql(STEP_UP, { input: { passkey: authenticator.get(options, { origin: ORIGIN }) } }, { token }))).toMatch(/expired/);

    const other = (await k.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn.accessToken;
    const { options: mine } = (await k.ok(START_STEP_UP, {}, { token })).startPasskeyStepUp;
    const answered = await k.gql(STEP_UP, { input: { passkey: authenticator.get(mine, { origin: ORIGIN }) } }, { token: other });
    expect(refusal(answered)).toMatch(/No passkey challenge is waiting/);
  });

  it('refuses a signature counter that does not advance (a cloned authenticator)', async () => {
    const { token, authenticator } = await withPasskey();
    const clone = authenticator.clone();
    expect((await passkeyStepUp(token, authenticator)).result.errors).toBeUndefined();
    expect(refusal((await passkeyStepUp(token, clone)).result)).toMatch(/counter/i);
  });

  it('refuses a wrong origin, a wrong RP ID, and an assertion without user verification', async () => {
    const { token, authenticator } = await withPasskey();
    expect(refusal((await passkeyStepUp(token, authenticator, { origin: 'https://evil.example' })).result)).toMatch(/origin/);
    expect(refusal((await passkeyStepUp(token, authenticator, { rpId: 'evil.example' })).result)).toMatch(/RP ID/);
    expect(refusal((await passkeyStepUp(token, authenticator, { withoutUserVerification: true })).result)).toMatch(/User verification/);
  });

  it("refuses another customer's passkey", async () => {
    const mine = await withPasskey();
    const theirs = await withPasskey();
    const { result } = await passkeyStepUp(mine.token, theirs.authenticator, { credentialId: theirs.authenticator.credentialIds()[0]! });
    expect(refusal(result)).toMatch(/not registered to this account/);
  });

  it('needs exactly one proof, and a JSON object', async () => {
    const { token, authenticator } = await withPasskey();
    const { options } = (await k.ok(START_STEP_UP, {}, { token })).startPasskeyStepUp;
    const both = await k.gql(STEP_UP, { input: { password: PASSWORD, passkey: authenticator.get(options, { origin: ORIGIN }) } }, { token });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
    expect((await k.gql(STEP_UP, { input: { passkey: ['not', 'an', 'object'] } }, { token })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await k.gql(STEP_UP, { input: { passkey: { response: 'x'.repeat(70_000) } } }, { token })).errors?.[0]?.message).toMatch(/at most 65536 bytes/);
  });
});

describe('trusted devices', () => {
  it('lists passkeys with lastUsedAt moving on each use', async () => {
    const { token, authenticator } = await withPasskey();
    const first = (await k.ok(PASSKEYS, {}, { token })).me.passkeys[0].lastUsedAt;
    expect(first).not.toBeNull();
    k.advance(30_000);
    expect((await passkeyStepUp(token, authenticator)).result.errors).toBeUndefined();
    const second = (await k.ok(PASSKEYS, {}, { token })).me.passkeys[0].lastUsedAt;
    expect(new Date(second).getTime() - new Date(first).getTime()).toBe(30_000);
  });

  it("renames a passkey; someone else's is NOT_FOUND", async () => {
    const { token, passkey } = await withPasskey();
    const other = await withPasskey();
    expect((await k.ok(RENAME, { id: passkey.id, name: 'Old phone' }, { token })).renamePasskey).toEqual({ id: passkey.id, name: 'Old phone' });
    expect((await k.gql(RENAME, { id: other.passkey.id, name: 'Mine now' }, { token })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await k.gql(RENAME, { id: passkey.id, name: ' ' }, { token })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect((await k.ok(PASSKEYS, {}, { token: other.token })).me.passkeys[0].name).toBe('Laptop');
  });

  it("removing a passkey needs a step-up; someone else's is NOT_FOUND", async () => {
    const { token, mfaToken, passkey, authenticator } = await withPasskey();
    const other = await withPasskey();
    expect((await k.gql(REMOVE, { id: passkey.id }, { token })).errors?.[0]?.extensions).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['passkey'] });
    expect((await k.gql(REMOVE, { id: other.passkey.id }, { token: mfaToken })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await k.ok(REMOVE, { id: passkey.id }, { token: mfaToken })).removePasskey).toBe(true);
    expect((await k.ok(PASSKEYS, {}, { token })).me).toEqual({ stepUpMethods: ['password'], passkeys: [] });
    expect((await k.ok(PASSKEYS, {}, { token: other.token })).me.passkeys).toHaveLength(1);
    // The removed passkey proves nothing any more.
    expect(refusal(await k.gql(START_STEP_UP, {}, { token }))).toMatch(/no passkey/);
    const assertion = authenticator.get({ allowCredentials: [{ id: authenticator.credentialIds()[0] }], rpId: 'localhost', challenge: 'AAAA' }, { origin: ORIGIN });
    expect(refusal(await k.gql(STEP_UP, { input: { passkey: assertion } }, { token }))).toMatch(/No passkey challenge/);
  });

  it('are for customers: the public is UNAUTHENTICATED, support may list them', async () => {
    const { id, passkey } = await withPasskey();
    const id0 = '00000000-0000-4000-8000-000000000000';
    for (const [query, variables] of [
      [START_REGISTRATION, {}],
      [FINISH_REGISTRATION, { input: { response: { id: 'x' }, name: 'x' } }],
      [START_STEP_UP, {}],
      [RENAME, { id: id0, name: 'x' }],
      [REMOVE, { id: id0 }],
    ] as const) {
      expect((await k.gql(query, variables)).errors?.[0]?.extensions?.code, query).toBe('UNAUTHENTICATED');
    }
    // Support sees a customer's devices by name and date; a service client never does.
    const asAgent = await k.ok(`query($id: ID!) { customer(id: $id) { passkeys { id } } }`, { id }, { as: 'agent' });
    expect(asAgent.customer.passkeys.map((p: { id: string }) => p.id)).toEqual([passkey.id]);
  });
});

describe('passkey step-up attempts', () => {
  it('count against the per-account limit shared with password step-ups', async () => {
    const limited = await startKith({ KITH_SIGNIN_ATTEMPTS_PER_ACCOUNT: '3' });
    const { token } = await signedInCustomer(limited, PASSWORD);
    const wrong = { id: 'AAAA', type: 'public-key', response: {} };
    for (let i = 0; i < 3; i += 1) refusal(await limited.gql(STEP_UP, { input: { passkey: wrong } }, { token }));
    const fourth = await limited.gql(STEP_UP, { input: { passkey: wrong } }, { token });
    expect(fourth.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // The password step-up shares the count.
    expect((await limited.gql(STEP_UP, { input: { password: PASSWORD } }, { token })).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});
