import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, startKith, type TestKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { REGISTER } from './operations.js';
import { changeEventsOnce, type LoggedEvent } from '../support/change-log.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const PASSWORD = 'a staff passphrase for tests';
const STAFF_FIELDS = 'id email name role enabled';
const STAFF_SIGN_IN = `mutation($input: StaffSignInInput!) { staffSignIn(input: $input) { accessToken tokenType expiresIn staffMember { ${STAFF_FIELDS} } } }`;
const CREATE_STAFF = `mutation($input: CreateStaffMemberInput!) { createStaffMember(input: $input) { ${STAFF_FIELDS} } }`;
const SET_ROLE = `mutation($id: ID!, $role: StaffRole!) { setStaffRole(id: $id, role: $role) { id role } }`;
const SET_ENABLED = `mutation($id: ID!, $enabled: Boolean!) { setStaffEnabled(id: $id, enabled: $enabled) { id enabled } }`;
const VIEWER = `{ viewer { role staffId } }`;
const CLIENT_FIELDS = 'id clientId name scopes purpose { key } enabled';
const CREATE_CLIENT = `mutation($input: CreateServiceClientInput!) { createServiceClient(input: $input) { clientSecret client { ${CLIENT_FIELDS} } } }`;
const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;

/** A staff member made by the worker's administrator on `on`, and a token from signing them in. */
async function member(role: 'AGENT' | 'ADMIN', on: TestKith = k) {
  const email = uniqueEmail('staff');
  const { createStaffMember } = await on.ok(CREATE_STAFF, { input: { email, name: 'Test member', role, initialPassword: PASSWORD } }, { as: 'admin' });
  const { staffSignIn } = await on.ok(STAFF_SIGN_IN, { input: { email, password: PASSWORD } });
  return { email, id: createStaffMember.id as string, token: staffSignIn.accessToken as string };
}

describe('staffSignIn', () => {
  it('gives a token whose viewer is the member and their role', async () => {
    const agent = await member('AGENT');
    const { staffSignIn } = await k.ok(STAFF_SIGN_IN, { input: { email: agent.email.toUpperCase(), password: PASSWORD } });
    expect(staffSignIn).toMatchObject({ tokenType: 'Bearer', staffMember: { id: agent.id, email: agent.email, role: 'AGENT', enabled: true } });
    expect(staffSignIn.expiresIn).toBeGreaterThan(0);
    expect((await k.ok(VIEWER, {}, { token: staffSignIn.accessToken })).viewer).toEqual({ role: 'AGENT', staffId: agent.id });
    const admin = await member('ADMIN');
    expect((await k.ok(VIEWER, {}, { token: admin.token })).viewer).toEqual({ role: 'ADMIN', staffId: admin.id });
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const agent = await member('AGENT');
    const answers = await Promise.all([
      k.gql(STAFF_SIGN_IN, { input: { email: agent.email, password: 'not the right passphrase' } }),
      k.gql(STAFF_SIGN_IN, { input: { email: uniqueEmail('nobody'), password: 'not the right passphrase' } }),
    ]);
    const shapes = answers.map((a) => ({ status: a.status, data: a.data, errors: a.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) }));
    expect(shapes[0]?.errors).toEqual([{ message: expect.any(String), code: 'UNAUTHENTICATED' }]);
    expect(shapes[1]).toEqual(shapes[0]);
  });

  describe('lockout', () => {
    let c: Awaited<ReturnType<typeof startClockedKith>>;
    beforeAll(async () => {
      c = await startClockedKith();
    });
    afterAll(() => c.close());

    it('locks after 5 failures, with the failure answer, and the lock ends after 5 minutes', async () => {
      const { email } = await member('AGENT', c);
      const wrong = await c.gql(STAFF_SIGN_IN, { input: { email, password: 'a wrong passphrase 0' } });
      for (let i = 1; i < 5; i += 1) expect(codeOf(await c.gql(STAFF_SIGN_IN, { input: { email, password: `a wrong passphrase ${i}` } }))).toBe('UNAUTHENTICATED');
      const locked = await c.gql(STAFF_SIGN_IN, { input: { email, password: PASSWORD } });
      expect({ status: locked.status, errors: locked.errors }).toEqual({ status: wrong.status, errors: wrong.errors });
      c.advance(299_000);
      expect(codeOf(await c.gql(STAFF_SIGN_IN, { input: { email, password: PASSWORD } }))).toBe('UNAUTHENTICATED');
      c.advance(2_000);
      const after = await c.gql(STAFF_SIGN_IN, { input: { email, password: PASSWORD } });
      expect(after.errors).toBeUndefined();
      expect(after.data?.staffSignIn.accessToken).toBeTruthy();
    });
  });
});

describe('createStaffMember', () => {
  const input = () => ({ email: uniqueEmail('staff'), name: 'New member', role: 'AGENT', initialPassword: PASSWORD });

  it('is for administrators: an agent is FORBIDDEN and the public UNAUTHENTICATED', async () => {
    const made = await k.ok(CREATE_STAFF, { input: input() }, { as: 'admin' });
    expect(made.createStaffMember).toMatchObject({ role: 'AGENT', enabled: true });
    const byAgent = await k.gql(CREATE_STAFF, { input: input() }, { as: 'agent' });
    expect(codeOf(byAgent)).toBe('FORBIDDEN');
    expect(codeOf(await k.gql(CREATE_STAFF, { input: input() }))).toBe('UNAUTHENTICATED');
    const { staffMembers } = await k.ok(`{ staffMembers { email } }`, {}, { as: 'admin' });
    expect(staffMembers.map((m: { email: string }) => m.email)).toContain(made.createStaffMember.email);
  });

  it('refuses a taken email, whatever its case, with CONFLICT, and a weak password with BAD_USER_INPUT', async () => {
    const first = input();
    await k.ok(CREATE_STAFF, { input: first }, { as: 'admin' });
    expect(codeOf(await k.gql(CREATE_STAFF, { input: { ...input(), email: first.email.toUpperCase() } }, { as: 'admin' }))).toBe('CONFLICT');
    expect(codeOf(await k.gql(CREATE_STAFF, { input: { ...input(), initialPassword: 'password' } }, { as: 'admin' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await k.gql(CREATE_STAFF, { input: { ...input(), initialPassword: 'short' } }, { as: 'admin' }))).toBe('BAD_USER_INPUT');
  });
});

describe('ending and changing staff access', () => {
  it('staffSignOut ends the member\'s tokens at once', async () => {
    const agent = await member('AGENT');
    const second = (await k.ok(STAFF_SIGN_IN, { input: { email: agent.email, password: PASSWORD } })).staffSignIn.accessToken;
    expect((await k.ok(`mutation { staffSignOut }`, {}, { token: agent.token })).staffSignOut).toBe(true);
    expect((await k.gql(VIEWER, {}, { token: agent.token })).status).toBe(401);
    expect((await k.gql(VIEWER, {}, { token: second })).status).toBe(401);
    const again = (await k.ok(STAFF_SIGN_IN, { input: { email: agent.email, password: PASSWORD } })).staffSignIn.accessToken;
    expect((await k.ok(VIEWER, {}, { token: again })).viewer.staffId).toBe(agent.id);
  });

  it('disabling ends the token at once and refuses sign-in; re-enabling does not revive the old token', async () => {
    const agent = await member('AGENT');
    expect((await k.ok(SET_ENABLED, { id: agent.id, enabled: false }, { as: 'admin' })).setStaffEnabled).toEqual({ id: agent.id, enabled: false });
    const refused = await k.gql(VIEWER, {}, { token: agent.token });
    expect(refused.status).toBe(401);
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    expect(codeOf(await k.gql(STAFF_SIGN_IN, { input: { email: agent.email, password: PASSWORD } }))).toBe('UNAUTHENTICATED');
    expect((await k.ok(SET_ENABLED, { id: agent.id, enabled: true }, { as: 'admin' })).setStaffEnabled.enabled).toBe(true);
    expect((await k.gql(VIEWER, {}, { token: agent.token })).status).toBe(401);
    const fresh = (await k.ok(STAFF_SIGN_IN, { input: { email: agent.email, password: PASSWORD } })).staffSignIn.accessToken;
    expect((await k.ok(VIEWER, {}, { token: fresh })).viewer).toEqual({ role: 'AGENT', staffId: agent.id });
  });

  it('a demotion applies to the very next request with the same token', async () => {
    const admin = await member('ADMIN');
    expect((await k.gql(`{ staffMembers { id } }`, {}, { token: admin.token })).errors).toBeUndefined();
    expect((await k.ok(SET_ROLE, { id: admin.id, role: 'AGENT' }, { as: 'admin' })).setStaffRole).toEqual({ id: admin.id, role: 'AGENT' });
    expect(codeOf(await k.gql(`{ staffMembers { id } }`, {}, { token: admin.token }))).toBe('FORBIDDEN');
    expect((await k.ok(VIEWER, {}, { token: admin.token })).viewer.role).toBe('AGENT');
    await k.ok(SET_ROLE, { id: admin.id, role: 'ADMIN' }, { as: 'admin' });
    expect((await k.gql(`{ staffMembers { id } }`, {}, { token: admin.token })).errors).toBeUndefined();
  });

  describe('the last active administrator', () => {
    // A database of its own, so the worker's administrator (which other tests sign in as) is never touched.
    let own: Awaited<ReturnType<typeof startClockedKith>>;
    beforeAll(async () => {
      own = await startClockedKith({}, { ownDatabase: true });
    });
    afterAll(() => own?.close());

    it('cannot be demoted or disabled, by themselves or another; a disabled administrator does not count', async () => {
      const { viewer } = await own.ok(VIEWER, {}, { as: 'admin' });
      expect(codeOf(await own.gql(SET_ROLE, { id: viewer.staffId, role: 'AGENT' }, { as: 'admin' }))).toBe('CONFLICT');
      expect(codeOf(await own.gql(SET_ENABLED, { id: viewer.staffId, enabled: false }, { as: 'admin' }))).toBe('CONFLICT');

      const second = await member('ADMIN', own);
      const third = await member('ADMIN', own);
      // Two others active: the bootstrap administrator may go, and so may the third.
      expect((await own.ok(SET_ROLE, { id: viewer.staffId, role: 'AGENT' }, { token: second.token })).setStaffRole.role).toBe('AGENT');
      expect((await own.ok(SET_ENABLED, { id: third.id, enabled: false }, { token: second.token })).setStaffEnabled.enabled).toBe(false);
      // Now the second is the only active administrator.
      expect(codeOf(await own.gql(SET_ROLE, { id: second.id, role: 'AGENT' }, { token: second.token }))).toBe('CONFLICT');
      expect(codeOf(await own.gql(SET_ENABLED, { id: second.id, enabled: false }, { token: second.token }))).toBe('CONFLICT');
      const { staffMembers } = await own.ok(`{ staffMembers { id role enabled } }`, {}, { token: second.token });
      expect(staffMembers.filter((m: { role: string; enabled: boolean }) => m.role === 'ADMIN' && m.enabled)).toEqual([{ id: second.id, role: 'ADMIN', enabled: true }]);
      // An agent is not an administrator: disabling or demoting one never trips the rule.
      expect((await own.ok(SET_ENABLED, { id: viewer.staffId, enabled: false }, { token: second.token })).setStaffEnabled.enabled).toBe(false);
    });
  });
});

describe('service clients', () => {
  it('shows the secret once, at creation, and lists the client without any secret', async () => {
    const name = `client ${uniqueTag()}`;
    const { createServiceClient } = await k.ok(CREATE_CLIENT, { input: { name, scopes: ['CUSTOMERS_READ', 'PROFILES_SUBSCRIBE'], purpose: 'analytics' } }, { as: 'admin' });
    const { client, clientSecret } = createServiceClient;
    expect(client).toMatchObject({ name, scopes: ['CUSTOMERS_READ', 'PROFILES_SUBSCRIBE'], purpose: { key: 'analytics' }, enabled: true });
    expect(typeof client.clientId).toBe('string');
    expect(clientSecret.length).toBeGreaterThanOrEqual(32);
    const listed = await k.ok(`{ serviceClients { ${CLIENT_FIELDS} createdAt updatedAt } }`, {}, { as: 'admin' });
    expect(listed.serviceClients).toContainEqual(expect.objectContaining(client));
    expect(JSON.stringify(listed)).not.toContain(clientSecret);
    const one = await k.ok(`query($id: ID!) { serviceClient(id: $id) { ${CLIENT_FIELDS} } }`, { id: client.id }, { as: 'admin' });
    expect(one.serviceClient).toEqual(client);
    expect(codeOf(await k.gql(`{ serviceClients { id } }`, {}, { as: 'agent' }))).toBe('FORBIDDEN');
  });

  it('refuses an unknown purpose with BAD_USER_INPUT', async () => {
    const result = await k.gql(CREATE_CLIENT, { input: { name: 'no such purpose', scopes: ['CUSTOMERS_READ'], purpose: 'no_such_purpose_here' } }, { as: 'admin' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'purpose' });
  });

  it('updates, rotates the secret of, and disables a client', async () => {
    const { createServiceClient } = await k.ok(CREATE_CLIENT, { input: { name: 'to change', scopes: ['SEGMENTS_READ'] } }, { as: 'admin' });
    const { client, clientSecret } = createServiceClient;
    expect(client.purpose).toBeNull();
    const update = `mutation($input: UpdateServiceClientInput!) { updateServiceClient(input: $input) { ${CLIENT_FIELDS} } }`;
    const updated = await k.ok(update, { input: { id: client.id, name: 'changed', scopes: ['CUSTOMERS_READ'], purpose: 'marketing_email' } }, { as: 'admin' });
    expect(updated.updateServiceClient).toEqual({ ...client, name: 'changed', scopes: ['CUSTOMERS_READ'], purpose: { key: 'marketing_email' } });
    const cleared = await k.ok(update, { input: { id: client.id, clearPurpose: true } }, { as: 'admin' });
    expect(cleared.updateServiceClient).toMatchObject({ name: 'changed', purpose: null });

    const rotate = `mutation($id: ID!) { rotateServiceClientSecret(id: $id) { clientSecret client { id clientId } } }`;
    const rotated = (await k.ok(rotate, { id: client.id }, { as: 'admin' })).rotateServiceClientSecret;
    expect(rotated.client).toEqual({ id: client.id, clientId: client.clientId });
    expect(rotated.clientSecret).not.toBe(clientSecret);
    const token = (secret: string) =>
      fetch(k.url.replace(/\/graphql$/, '/oauth/token'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret }),
      });
    expect((await token(clientSecret)).status).toBe(401);
    expect((await token(rotated.clientSecret)).status).toBe(200);

    const setEnabled = `mutation($id: ID!, $enabled: Boolean!) { setServiceClientEnabled(id: $id, enabled: $enabled) { id enabled } }`;
    expect((await k.ok(setEnabled, { id: client.id, enabled: false }, { as: 'admin' })).setServiceClientEnabled).toEqual({ id: client.id, enabled: false });
    expect((await token(rotated.clientSecret)).status).toBe(401);
    expect((await k.ok(setEnabled, { id: client.id, enabled: true }, { as: 'admin' })).setServiceClientEnabled.enabled).toBe(true);
    expect((await token(rotated.clientSecret)).status).toBe(200);
  });
});

describe('unlockCustomer', () => {
  const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken } }`;
  const UNLOCK = `mutation($id: ID!) { unlockCustomer(id: $id) }`;

  it('lets an agent lift a customer\'s lockout; a customer may not', async () => {
    const email = uniqueEmail();
    const password = 'the customer passphrase';
    const { register } = await k.ok(REGISTER, { input: { email, password } });
    const id = register.customer.id as string;
    for (let i = 0; i < 5; i += 1) expect(codeOf(await k.gql(SIGN_IN, { input: { email, password: `a wrong passphrase ${i}` } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await k.gql(SIGN_IN, { input: { email, password } }))).toBe('UNAUTHENTICATED');

    const other = uniqueEmail();
    await k.ok(REGISTER, { input: { email: other, password } });
    const customerToken = (await k.ok(SIGN_IN, { input: { email: other, password } })).signIn.accessToken;
    expect(codeOf(await k.gql(UNLOCK, { id }, { token: customerToken }))).toBe('FORBIDDEN');
    expect(codeOf(await k.gql(SIGN_IN, { input: { email, password } }))).toBe('UNAUTHENTICATED');

    expect((await k.ok(UNLOCK, { id }, { as: 'agent' })).unlockCustomer).toBe(true);
    const signedIn = await k.gql(SIGN_IN, { input: { email, password } });
    expect(signedIn.errors).toBeUndefined();
    expect(signedIn.data?.signIn.accessToken).toBeTruthy();
  });
});

describe('actor labels', () => {
  it('records staff changes in changeEvents as staff:<id>', async () => {
    const agent = await member('AGENT');
    const { register } = await k.ok(REGISTER, { input: { email: uniqueEmail(), password: 'the customer passphrase' } });
    const id = register.customer.id as string;
    await k.ok(`mutation($id: ID!) { disableCustomer(id: $id) { customer { status } } }`, { id }, { token: agent.token });
    await k.ok(`mutation($id: ID!) { unlockCustomer(id: $id) }`, { id }, { token: agent.token });
    const ofAgent = (logged: LoggedEvent[]) => logged.filter((n) => n.actor === `staff:${agent.id}`);
    const byAgent = ofAgent(await changeEventsOnce(k, id, (logged) => ofAgent(logged).length >= 2));
    expect(byAgent.length).toBe(2);
    expect(byAgent.flatMap((n) => n.changedFields)).toEqual(expect.arrayContaining(['credentials.lockout']));
  });
});

describe('staff passwords', () => {
  const CHANGE = `mutation($input: ChangeStaffPasswordInput!) { changeStaffPassword(input: $input) { accessToken staffMember { id } } }`;
  const RESET = `mutation($id: ID!, $p: String!) { resetStaffPassword(id: $id, newPassword: $p) { id } }`;

  it('a member changes their own, proving the current one; their other tokens end', async () => {
    const agent = await member('AGENT');
    const wrong = await k.gql(CHANGE, { input: { currentPassword: 'not the current one', newPassword: 'a new staff passphrase' } }, { token: agent.token });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const weak = await k.gql(CHANGE, { input: { currentPassword: PASSWORD, newPassword: 'password' } }, { token: agent.token });
    expect(codeOf(weak)).toBe('BAD_USER_INPUT');
    const { changeStaffPassword } = await k.ok(CHANGE, { input: { currentPassword: PASSWORD, newPassword: 'a new staff passphrase' } }, { token: agent.token });
    expect(changeStaffPassword.staffMember.id).toBe(agent.id);
    expect((await k.gql(VIEWER, {}, { token: agent.token })).status).toBe(401);
    expect((await k.ok(VIEWER, {}, { token: changeStaffPassword.accessToken })).viewer).toEqual({ role: 'AGENT', staffId: agent.id });
    expect(codeOf(await k.gql(STAFF_SIGN_IN, { input: { email: agent.email, password: PASSWORD } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await k.gql(STAFF_SIGN_IN, { input: { email: agent.email, password: 'a new staff passphrase' } }))).toBeUndefined();
  });

  it('an administrator resets another member\'s password, ending their tokens; an agent may not', async () => {
    const agent = await member('AGENT');
    const other = await member('AGENT');
    expect(codeOf(await k.gql(RESET, { id: agent.id, p: 'a reset staff passphrase' }, { token: other.token }))).toBe('FORBIDDEN');
    expect((await k.ok(RESET, { id: agent.id, p: 'a reset staff passphrase' }, { as: 'admin' })).resetStaffPassword.id).toBe(agent.id);
    expect((await k.gql(VIEWER, {}, { token: agent.token })).status).toBe(401);
    expect(codeOf(await k.gql(STAFF_SIGN_IN, { input: { email: agent.email, password: 'a reset staff passphrase' } }))).toBeUndefined();
    expect(codeOf(await k.gql(CHANGE, { input: { currentPassword: PASSWORD, newPassword: 'a new staff passphrase' } }))).toBe('UNAUTHENTICATED');
  });

  it('an administrator may not reset their own: that is changeStaffPassword, which asks for the current one', async () => {
    const admin = await member('ADMIN');
    const own = await k.gql(RESET, { id: admin.id, p: 'chosen by whoever holds the token' }, { token: admin.token });
    expect(own.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(codeOf(await k.gql(STAFF_SIGN_IN, { input: { email: admin.email, password: PASSWORD } }))).toBeUndefined();
  });
});
