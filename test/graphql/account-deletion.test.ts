import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, recoveryCodes, sessions, totpFactors } from '../../src/store/tables/index.js';
import { signedInCustomer, startClockedKith, uniqueEmail } from '../support/kith.js';
import { changeEventsOnce } from '../support/change-log.js';
import { enrolTotp, issuedAtMs, totpCode } from '../support/totp.js';
import { REGISTER } from './operations.js';

const PASSWORD = 'a passphrase for signing in';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken } }`;
const DELETE_MY_ACCOUNT = `mutation { deleteMyAccount }`;
const DELETE_CUSTOMER = `mutation($id: ID!) { deleteCustomer(id: $id) { customer { id status email version } } }`;
const TOMBSTONE = `query($id: ID!) { customer(id: $id) {
  status email emailVerified givenName familyName phoneNumber locale attributes { name value } anonymousIds
  consents { purpose { key } status } consentHistory { purposeKey status source } } }`;

let k: Awaited<ReturnType<typeof startClockedKith>>;
beforeAll(async () => {
  k = await startClockedKith();
});
afterAll(() => k.close());

const errorOf = (result: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) => result.errors?.[0];

/** A registered customer with a profile, consents and a visitor id, signed in twice (two sessions). */
async function customerWithData() {
  const email = uniqueEmail('deleted');
  const { register } = await k.ok(REGISTER, {
    input: {
      email,
      password: PASSWORD,
      attributes: [{ name: 'givenName', value: 'Ada' }, { name: 'familyName', value: 'Lovelace' }, { name: 'company', value: 'Analytical Engines' }],
      consents: ['marketing_email', 'analytics'],
      anonymousId: 'ga1.2.3456.7890',
    },
  });
  const first = (await k.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn;
  const second = (await k.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn;
  return { email, id: register.customer.id as string, token: first.accessToken as string, refreshToken: first.refreshToken as string, other: second.accessToken as string };
}

const rowsOf = async (table: typeof credentials | typeof sessions | typeof totpFactors | typeof recoveryCodes, customerId: string) =>
  (await k.database.db.select().from(table).where(eq(table.customerId, customerId))).length;

describe('deleteMyAccount', () => {
  it('erases the account in one go: tokens refused, sign-in answered as for an unknown email, personal data gone', async () => {
    const { email, id, token, refreshToken, other } = await customerWithData();
    expect((await k.ok(DELETE_MY_ACCOUNT, {}, { token })).deleteMyAccount).toBe(true);

    // Every token of the account is refused on its very next request: this session's, the other's, the refresh token.
    for (const t of [token, other]) expect((await k.gql(`{ me { id } }`, {}, { token: t })).status).toBe(401);
    expect(errorOf(await k.gql(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: refreshToken }))?.extensions?.code).toBe('UNAUTHENTICATED');
    const deleted = errorOf(await k.gql(SIGN_IN, { input: { email, password: PASSWORD } }));
    const unknown = errorOf(await k.gql(SIGN_IN, { input: { email: uniqueEmail('nobody'), password: PASSWORD } }));
    expect(deleted).toEqual(unknown);

    // The tombstone: DELETED, personal fields erased, every consent withdrawn, the history kept.
    const { customer } = await k.ok(TOMBSTONE, { id }, { as: 'admin' });
    expect(customer).toMatchObject({
      status: 'DELETED', email: null, emailVerified: false, givenName: null, familyName: null, phoneNumber: null, locale: null, attributes: [], anonymousIds: [],
    });
    expect(customer.consents.map((c: { status: string }) => c.status)).toEqual(['WITHDRAWN', 'WITHDRAWN']);
    expect(customer.consentHistory.filter((r: { purposeKey: string }) => r.purposeKey === 'marketing_email')).toEqual([
      { purposeKey: 'marketing_email', status: 'GRANTED', source: 'APP' },
      { purposeKey: 'marketing_email', status: 'WITHDRAWN', source: 'APP' },
    ]);
    for (const table of [credentials, sessions]) expect(await rowsOf(table, id)).toBe(0);

    // The change log: the withdrawals, then one customer.deleted naming what was erased (never a value).
    const events = await changeEventsOnce(k, id, (log) => log.at(-1)?.type === 'customer.deleted');
    expect(events.slice(-3)).toMatchObject([
      { type: 'consent.withdrawn', changedFields: ['consents.analytics'] },
      { type: 'consent.withdrawn', changedFields: ['consents.marketing_email'] },
      { type: 'customer.deleted', actor: `customer:${id}` },
    ]);
    expect(events.at(-1)!.changedFields).toEqual([
      'status', 'email', 'givenName', 'familyName', 'attributes.company', 'anonymousIds', 'credentials.password', 'sessions',
    ]);
    expect(JSON.stringify(events)).not.toContain(email);
  });

  it('frees the email: the address can be captured and registered again, as a new customer', async () => {
    const { email, id, token } = await customerWithData();
    await k.ok(DELETE_MY_ACCOUNT, {}, { token });
    const byEmail = `query($e: EmailAddress!) { customers(filter: { email: $e, status: [LIGHT, REGISTERED, DISABLED, DELETED] }) { edges { node { id } } } }`;
    expect((await k.ok(byEmail, { e: email }, { as: 'admin' })).customers.edges).toEqual([]);

    const { capture } = await k.ok(`mutation($e: EmailAddress!) { capture(input: { email: $e }) { created customer { id } } }`, { e: email.toUpperCase() });
    expect(capture.created).toBe(true);
    expect(capture.customer.id).not.toBe(id);
    const { register } = await k.ok(REGISTER, { input: { email, password: PASSWORD } });
    expect(register).toEqual({ created: false, customer: { id: capture.customer.id } });
    expect((await k.gql(SIGN_IN, { input: { email, password: PASSWORD } })).errors).toBeUndefined();
  });

  it('is left out of customer lists unless asked for by status', async () => {
    const { id, token } = await customerWithData();
    const { customer } = await k.ok(`query($id: ID!) { customer(id: $id) { createdAt } }`, { id }, { as: 'admin' });
    await k.ok(DELETE_MY_ACCOUNT, {}, { token });
    const since = new Date(new Date(customer.createdAt).getTime() - 1).toISOString();
    const LIST = `query($f: CustomerFilter) { customers(filter: $f, first: 100) { edges { node { id status } } } }`;
    const ids = async (filter: Record<string, unknown>) =>
      (await k.ok(LIST, { f: { createdAfter: since, ...filter } }, { as: 'admin' })).customers.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await ids({})).not.toContain(id);
    expect(await ids({ status: ['DELETED'] })).toContain(id);
  });

  it('needs a recent step-up, and a second factor once the customer has one', async () => {
    const { email, id, refreshToken } = await customerWithData();
    k.advance(601_000);
    const stale = (await k.ok(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: refreshToken })).refresh.accessToken;
    expect(errorOf(await k.gql(DELETE_MY_ACCOUNT, {}, { token: stale }))?.extensions).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['password'] });
    expect((await k.ok(`{ me { status } }`, {}, { token: stale })).me.status).toBe('REGISTERED');

    // With a TOTP on, a fresh password is not enough: the deletion wants the second factor.
    const fresh = (await k.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn.accessToken;
    const { sharedKey } = await enrolTotp(k, fresh);
    k.advance(30_000);
    const passwordOnly = (await k.ok(SIGN_IN, { input: { email, password: PASSWORD } })).signIn.accessToken;
    expect(errorOf(await k.gql(DELETE_MY_ACCOUNT, {}, { token: passwordOnly }))?.extensions).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['totp', 'recovery_code'] });
    const { stepUp } = await k.ok(`mutation($c: String!) { stepUp(input: { totp: $c }) { accessToken } }`, { c: totpCode(sharedKey, issuedAtMs(passwordOnly)) }, { token: passwordOnly });
    expect((await k.ok(DELETE_MY_ACCOUNT, {}, { token: stepUp.accessToken })).deleteMyAccount).toBe(true);
    for (const table of [totpFactors, recoveryCodes]) expect(await rowsOf(table, id)).toBe(0);
    const last = (await changeEventsOnce(k, id, (log) => log.at(-1)?.type === 'customer.deleted')).at(-1);
    expect(last?.changedFields).toEqual(expect.arrayContaining(['credentials.totp', 'credentials.recoveryCodes']));
  });
});

describe('deleteCustomer', () => {
  it('lets an administrator erase a customer by id, once: a repeat returns the tombstone unchanged', async () => {
    const { id, token } = await customerWithData();
    const first = (await k.ok(DELETE_CUSTOMER, { id }, { as: 'admin' })).deleteCustomer.customer;
    expect(first).toMatchObject({ id, status: 'DELETED', email: null });
    expect((await k.gql(`{ me { id } }`, {}, { token })).status).toBe(401);
    expect((await k.ok(DELETE_CUSTOMER, { id }, { as: 'admin' })).deleteCustomer.customer).toEqual(first);

    const events = await changeEventsOnce(k, id, (log) => log.some((e) => e.type === 'customer.deleted'));
    const deletions = events.filter((e) => e.type === 'customer.deleted');
    expect(deletions).toHaveLength(1);
    expect(deletions[0]!.actor).toMatch(/^staff:/);
    const { customer } = await k.ok(TOMBSTONE, { id }, { as: 'admin' });
    expect(customer.consentHistory.at(-1)).toMatchObject({ status: 'WITHDRAWN', source: 'SUPPORT' });
  });

  it('answers NOT_FOUND for an unknown id, and refuses agents and customers', async () => {
    const missing = await k.gql(DELETE_CUSTOMER, { id: '00000000-0000-4000-8000-000000000000' }, { as: 'admin' });
    expect(errorOf(missing)?.extensions?.code).toBe('NOT_FOUND');
    const { id, token } = await signedInCustomer(k, PASSWORD);
    expect(errorOf(await k.gql(DELETE_CUSTOMER, { id }, { as: 'agent' }))?.extensions?.code).toBe('FORBIDDEN');
    expect(errorOf(await k.gql(DELETE_CUSTOMER, { id }, { token }))?.extensions?.code).toBe('FORBIDDEN');
    expect((await k.ok(`query($id: ID!) { customer(id: $id) { status } }`, { id }, { as: 'admin' })).customer.status).toBe('REGISTERED');
  });
});
