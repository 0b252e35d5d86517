import { beforeAll, describe, expect, it } from 'vitest';
import { signedInCustomer, startClockedKith, startKith, type TestKith, uniqueEmail } from '../support/kith.js';

/**
 * Two Kith processes on one database, as in a deployment of several: each remembers the principals
 * behind the tokens it has seen, and a revocation made through one is refused by the other on its very
 * next request. (Both run in this test process, each with its own listening connection and instance id.)
 */
let a: TestKith;
let b: TestKith;
beforeAll(async () => {
  a = await startKith();
  // Any unknown variable makes startKith build a second server on the same database.
  b = await startKith({ KITH_TEST_SECOND_PROCESS: 'yes' });
});

const PASSWORD = 'principal cache passphrase';
const VIEWER = '{ viewer { role } }';
const ME = '{ me { id } }';
const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;

async function statementsDuring(on: TestKith, work: () => Promise<unknown>): Promise<number> {
  const before = on.database.statementCount();
  await work();
  return on.database.statementCount() - before;
}

async function staffMember(role: 'AGENT' | 'ADMIN') {
  const email = uniqueEmail('staff');
  const made = await a.ok(
    `mutation($input: CreateStaffMemberInput!) { createStaffMember(input: $input) { id } }`,
    { input: { email, name: 'Cache test', role, initialPassword: PASSWORD } },
    { as: 'admin' },
  );
  const { staffSignIn } = await a.ok(`mutation($input: StaffSignInInput!) { staffSignIn(input: $input) { accessToken } }`, { input: { email, password: PASSWORD } });
  return { id: made.createStaffMember.id as string, token: staffSignIn.accessToken as string };
}

describe('the principal cache', () => {
  it('answers a known token without reading the database', async () => {
    const customer = await signedInCustomer(a, PASSWORD);
    expect((await b.ok(VIEWER, {}, { token: customer.token })).viewer.role).toBe('CUSTOMER');
    expect(await statementsDuring(b, () => b.ok(VIEWER, {}, { token: customer.token }))).toBe(0);
  });

  it('is off with KITH_PRINCIPAL_CACHE_SECONDS=0: every request reads its principal', async () => {
    const uncached = await startKith({ KITH_PRINCIPAL_CACHE_SECONDS: '0' });
    const customer = await signedInCustomer(uncached, PASSWORD);
    await uncached.ok(VIEWER, {}, { token: customer.token });
    expect(await statementsDuring(uncached, () => uncached.ok(VIEWER, {}, { token: customer.token }))).toBe(1);
  });

  it('records each process as live while it runs, and forgets it when it stops', async () => {
    const own = await startClockedKith({});
    const id = own.kith.instanceId;
    const listener = await a.database.listen('kith_unused_channel', { notify() {}, lost() {}, listening() {} });
    try {
      expect(await listener.query('select id from kith_instances where id = $1', [id!])).toHaveLength(1);
      await own.close();
      expect(await listener.query('select id from kith_instances where id = $1', [id!])).toHaveLength(0);
    } finally {
      await listener.close();
    }
  });
});

describe('revocation through one process is refused by another at once', () => {
  it('signOut', async () => {
    const customer = await signedInCustomer(a, PASSWORD);
    expect((await b.ok(ME, {}, { token: customer.token })).me.id).toBe(customer.id);
    expect(await a.ok('mutation { signOut }', {}, { token: customer.token })).toEqual({ signOut: true });
    expect(codeOf(await b.gql(ME, {}, { token: customer.token }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await a.gql(ME, {}, { token: customer.token }))).toBe('UNAUTHENTICATED');
  });

  it('an agent revoking a session', async () => {
    const customer = await signedInCustomer(a, PASSWORD);
    await b.ok(ME, {}, { token: customer.token });
    const { customer: seen } = await a.ok(`query($id: ID!) { customer(id: $id) { sessions { id } } }`, { id: customer.id }, { as: 'agent' });
    expect(await a.ok(`mutation($id: ID!) { revokeSession(id: $id) }`, { id: seen.sessions[0].id }, { as: 'agent' })).toEqual({ revokeSession: true });
    expect(codeOf(await b.gql(ME, {}, { token: customer.token }))).toBe('UNAUTHENTICATED');
  });

  it('disabling the customer', async () => {
    const customer = await signedInCustomer(a, PASSWORD);
    await b.ok(ME, {}, { token: customer.token });
    await a.ok(`mutation($id: ID!) { disableCustomer(id: $id) { customer { status } } }`, { id: customer.id }, { as: 'agent' });
    expect(codeOf(await b.gql(ME, {}, { token: customer.token }))).toBe('UNAUTHENTICATED');
  });

  it('demoting and disabling a staff member', async () => {
    const admin = await staffMember('ADMIN');
    expect((await b.ok('{ staffMembers { id } }', {}, { token: admin.token })).staffMembers.length).toBeGreaterThan(0);
    await a.ok(`mutation($id: ID!) { setStaffRole(id: $id, role: AGENT) { role } }`, { id: admin.id }, { as: 'admin' });
    expect(codeOf(await b.gql('{ staffMembers { id } }', {}, { token: admin.token }))).toBe('FORBIDDEN');
    expect((await b.ok(VIEWER, {}, { token: admin.token })).viewer.role).toBe('AGENT');
    await a.ok(`mutation($id: ID!) { setStaffEnabled(id: $id, enabled: false) { enabled } }`, { id: admin.id }, { as: 'admin' });
    expect(codeOf(await b.gql(VIEWER, {}, { token: admin.token }))).toBe('UNAUTHENTICATED');
  });

  it("rotating a service client's secret", async () => {
    const { createServiceClient } = await a.ok(
      `mutation($input: CreateServiceClientInput!) { createServiceClient(input: $input) { clientSecret client { id clientId } } }`,
      { input: { name: 'cache test', scopes: ['CUSTOMERS_READ'], purpose: 'analytics' } },
      { as: 'admin' },
    );
    const response = await fetch(a.url.replace(/\/graphql$/, '/oauth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: createServiceClient.client.clientId, client_secret: createServiceClient.clientSecret }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    expect((await b.ok(VIEWER, {}, { token })).viewer.role).toBe('SERVICE_CLIENT');
    await a.ok(`mutation($id: ID!) { rotateServiceClientSecret(id: $id) { clientSecret } }`, { id: createServiceClient.client.id }, { as: 'admin' });
    expect(codeOf(await b.gql(VIEWER, {}, { token }))).toBe('UNAUTHENTICATED');
  });

  it('signOut through a process that caches nothing itself, which still takes part (and waits for the others)', async () => {
    const uncached = await startKith({ KITH_PRINCIPAL_CACHE_SECONDS: '0' });
    const listener = await a.database.listen('kith_unused_channel', { notify() {}, lost() {}, listening() {} });
    try {
      expect(await listener.query('select id from kith_instances where id = $1', [uncached.kith.instanceId])).toHaveLength(1);
    } finally {
      await listener.close();
    }
    const customer = await signedInCustomer(uncached, PASSWORD);
    await b.ok(ME, {}, { token: customer.token });
    await uncached.ok('mutation { signOut }', {}, { token: customer.token });
    expect(codeOf(await b.gql(ME, {}, { token: customer.token }))).toBe('UNAUTHENTICATED');
  });

  it('a catalog change reaches the other process at once', async () => {
    const PURPOSES = '{ consentPurposes { key title } }';
    await b.ok(PURPOSES);
    const key = `cache_${Math.random().toString(36).slice(2, 10)}`;
    const define = `mutation($input: DefinePurposeInput!) { definePurpose(input: $input) { key } }`;
    await a.ok(define, { input: { key, title: 'First', description: 'A purpose of the cache test.' } }, { as: 'admin' });
    expect((await b.ok(PURPOSES)).consentPurposes).toContainEqual({ key, title: 'First' });
    await a.ok(define, { input: { key, title: 'Second', description: 'A purpose of the cache test.' } }, { as: 'admin' });
    expect((await b.ok(PURPOSES)).consentPurposes).toContainEqual({ key, title: 'Second' });
    // A capture on the other process knows the new purpose too.
    expect((await b.ok(`mutation($input: CaptureInput!) { capture(input: $input) { created } }`, { input: { email: uniqueEmail(), consents: [key] } })).capture.created).toBe(true);
  });

  it.runIf(process.env.DATABASE_URL)('even when the other process has just lost its listening connection', async () => {
    const customer = await signedInCustomer(a, PASSWORD);
    await b.ok(ME, {}, { token: customer.token });
    const listener = await a.database.listen('kith_unused_channel', { notify() {}, lost() {}, listening() {} });
    try {
      const [killed] = await listener.query(`select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = $1`, [
        `kith-principals-${b.kith.instanceId}`,
      ]);
      expect(killed?.killed).toBe(true);
      // b misses the change's notification, or hears it once it listens again: either way it refuses.
      await a.ok('mutation { signOut }', {}, { token: customer.token });
      expect(codeOf(await b.gql(ME, {}, { token: customer.token }))).toBe('UNAUTHENTICATED');
      // And it trusts its cache again once it hears the channel.
      const other = await signedInCustomer(a, PASSWORD);
      const cachedReadStatements = async () => {
        await b.ok(VIEWER, {}, { token: other.token });
        return statementsDuring(b, () => b.ok(VIEWER, {}, { token: other.token }));
      };
      await expect.poll(cachedReadStatements, { timeout: 10_000 }).toBe(0);
    } finally {
      await listener.close();
    }
  });
});
