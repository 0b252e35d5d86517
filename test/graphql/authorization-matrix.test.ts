import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, type RequestOptions, startKith, type TestKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { changeEventsOnce } from '../support/change-log.js';
import { CAPTURE, REGISTER } from './operations.js';

// Who may do what, written out cell by cell from src/auth/permissions.ts as the specification (not computed
// from the map, so a wrong entry there fails here). Each cell is allowed, or denied with the exact code:
// UNAUTHENTICATED for the public, FORBIDDEN for anyone signed in.

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const ROLES = ['public', 'self', 'other', 'agent', 'admin', 'reader', 'outsider'] as const;
type Role = (typeof ROLES)[number];
const A = 'allowed';
const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
type Outcome = typeof A | typeof U | typeof F;
const AUTH_CODES = [U, F];

const PASSWORD = 'a matrix passphrase for tests';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken } }`;
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/**
 * What every cell works on: the target customer T (registered, signed in, consenting to the clients'
 * purpose), another signed-in customer, and two service clients with T's purpose: a reader
 * (customers:read) and an outsider (scopes that grant nothing here).
 */
interface World {
  purpose: string;
  target: { id: string; email: string };
  tokens: Record<'self' | 'other' | 'reader' | 'outsider', string>;
  readerId: string;
}
let w: World;

async function customer(consents: string[] = []) {
  const email = uniqueEmail('matrix');
  const { register } = await k.ok(REGISTER, { input: { email, password: PASSWORD, consents } });
  const { signIn } = await k.ok(SIGN_IN, { input: { email, password: PASSWORD } });
  return { id: register.customer.id as string, email, token: signIn.accessToken as string };
}

async function serviceClient(scopes: string[], purpose: string) {
  const { createServiceClient } = await k.ok(
    `mutation($input: CreateServiceClientInput!) { createServiceClient(input: $input) { clientSecret client { id clientId } } }`,
    { input: { name: `matrix ${uniqueTag()}`, scopes, purpose } },
    { as: 'admin' },
  );
  const response = await fetch(k.url.replace(/\/graphql$/, '/oauth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: createServiceClient.client.clientId, client_secret: createServiceClient.clientSecret }),
  });
  expect(response.status).toBe(200);
  return { id: createServiceClient.client.id as string, token: ((await response.json()) as { access_token: string }).access_token };
}

/** A staff member of `role` of their own, for cells that end the caller's tokens. */
async function freshStaff(role: 'AGENT' | 'ADMIN') {
  const email = uniqueEmail('matrix-staff');
  await k.ok(`mutation($input: CreateStaffMemberInput!) { createStaffMember(input: $input) { id } }`, { input: { email, name: 'Matrix', role, initialPassword: PASSWORD } }, { as: 'admin' });
  return (await k.ok(`mutation($input: StaffSignInInput!) { staffSignIn(input: $input) { accessToken } }`, { input: { email, password: PASSWORD } })).staffSignIn.accessToken as string;
}

beforeAll(async () => {
  const purpose = `m_${randomUUID().replace(/-/g, '')}`;
  await k.ok(`mutation($input: DefinePurposeInput!) { definePurpose(input: $input) { key } }`, { input: { key: purpose, title: 'Matrix', description: 'Matrix tests.' } }, { as: 'admin' });
  const [target, other, reader, outsider] = await Promise.all([
    customer([purpose]),
    customer(),
    serviceClient(['CUSTOMERS_READ'], purpose),
    serviceClient(['SEGMENTS_READ', 'PROVISIONING_WRITE'], purpose),
  ]);
  w = { purpose, target, readerId: reader.id, tokens: { self: target.token, other: other.token, reader: reader.token, outsider: outsider.token } };
  // The changeEvents cells read T's log, which other files' open transactions can hold back for a moment.
  await changeEventsOnce(k, target.id, (logged) => logged.length > 0);
});

/** How `role` calls: its token, or for `fresh` rows (which end or change the caller's own access) a principal of its own. */
async function callerOf(role: Role, fresh: boolean): Promise<RequestOptions> {
  switch (role) {
    case 'public':
      return {};
    case 'agent':
    case 'admin':
      return fresh ? { token: await freshStaff(role === 'agent' ? 'AGENT' : 'ADMIN') } : { as: role };
    case 'self':
    case 'other':
      return { token: fresh ? (await customer()).token : w.tokens[role] };
    case 'reader':
    case 'outsider':
      return { token: w.tokens[role] };
  }
}

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

interface Row {
  name: string;
  /** The operation; may make data of its own (a customer to disable). */
  operation: () => Operation | Promise<Operation>;
  /** The outcome per role, in the order of ROLES: public, self, other, agent, admin, reader, outsider. */
  outcomes: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];
  /** For allowed cells that must fully succeed: what the data must show. Without it, only no authorization error. */
  data?: (data: Record<string, any>) => void;
  fresh?: boolean;
}

/** A field of the target customer, reached by every role through capture (which anyone may call). */
const targetField = (selection: string): Row['operation'] => () => ({
  query: `mutation($input: CaptureInput!) { capture(input: $input) { customer { id ${selection} } } }`,
  variables: { input: { email: w.target.email } },
});
const captured = async () => (await k.ok(CAPTURE, { input: { email: uniqueEmail('matrix') } })).capture.customer.id as string;
const uniqueName = () => `m${randomUUID().replace(/-/g, '').slice(0, 20)}`;

const rows: Row[] = [
  //                                                                                     public self other agent admin reader outsider
  { name: 'Query.viewer', operation: () => ({ query: `{ viewer { role } }` }), outcomes: [A, A, A, A, A, A, A], data: (d) => expect(d.viewer.role).toBeTruthy() },
  { name: 'Query.me', operation: () => ({ query: `{ me { id } }` }), outcomes: [U, A, A, F, F, F, F], data: (d) => expect(d.me.id).toBeTruthy() },
  {
    name: 'Query.customer',
    operation: () => ({ query: `query($id: ID!) { customer(id: $id) { id } }`, variables: { id: w.target.id } }),
    outcomes: [U, F, F, A, A, A, F],
    data: (d) => expect(d.customer).toEqual({ id: w.target.id }),
  },
  {
    name: 'Query.customers',
    operation: () => ({ query: `query($e: EmailAddress!) { customers(filter: { email: $e }) { edges { node { id } } } }`, variables: { e: w.target.email } }),
    outcomes: [U, F, F, A, A, A, F],
    data: (d) => expect(d.customers.edges).toEqual([{ node: { id: w.target.id } }]),
  },
  {
    name: 'Query.changeEvents',
    operation: () => ({ query: `query($id: ID!) { changeEvents(customerId: $id, first: 1) { edges { node { type } } } }`, variables: { id: w.target.id } }),
    outcomes: [U, F, F, A, A, F, F],
    data: (d) => expect(d.changeEvents.edges).toHaveLength(1),
  },
  { name: 'Query.staffMembers', operation: () => ({ query: `{ staffMembers { id } }` }), outcomes: [U, F, F, F, A, F, F], data: (d) => expect(d.staffMembers.length).toBeGreaterThan(0) },
  {
    name: 'StaffMember.totpEnabled',
    operation: () => ({ query: `{ staffMembers { totpEnabled } }` }),
    outcomes: [U, F, F, F, A, F, F],
    data: (d) => expect(d.staffMembers.every((m: { totpEnabled: unknown }) => typeof m.totpEnabled === 'boolean')).toBe(true),
  },
  { name: 'Query.serviceClients', operation: () => ({ query: `{ serviceClients { id } }` }), outcomes: [U, F, F, F, A, F, F], data: (d) => expect(d.serviceClients.length).toBeGreaterThan(0) },
  {
    name: 'Query.serviceClient',
    operation: () => ({ query: `query($id: ID!) { serviceClient(id: $id) { id } }`, variables: { id: w.readerId } }),
    outcomes: [U, F, F, F, A, F, F],
    data: (d) => expect(d.serviceClient).toEqual({ id: w.readerId }),
  },
  { name: 'Customer.id', operation: targetField(''), outcomes: [A, A, A, A, A, A, A], data: (d) => expect(d.capture.customer.id).toBe(w.target.id) },
  { name: 'Customer.email', operation: targetField('email'), outcomes: [U, A, F, A, A, A, F], data: (d) => expect(d.capture.customer.email).toBe(w.target.email) },
  { name: 'Customer.consents', operation: targetField('consents { status }'), outcomes: [U, A, F, A, A, A, F], data: (d) => expect(d.capture.customer.consents.length).toBeGreaterThan(0) },
  { name: 'Customer.sessions', operation: targetField('sessions { id }'), outcomes: [U, A, F, A, A, F, F], data: (d) => expect(d.capture.customer.sessions.length).toBeGreaterThan(0) },
  { name: 'Customer.stepUpMethods', operation: targetField('stepUpMethods'), outcomes: [U, A, F, A, A, F, F], data: (d) => expect(d.capture.customer.stepUpMethods).toEqual(['password']) },
  ...(['totpEnabled', 'recoveryCodesRemaining', 'passkeys { id }'] as const).map(
    (field): Row => ({ name: `Customer.${field.split(' ')[0]}`, operation: targetField(field), outcomes: [U, A, F, A, A, F, F] }),
  ),
  {
    name: 'Mutation.capture',
    operation: () => ({ query: CAPTURE, variables: { input: { email: uniqueEmail('matrix') } } }),
    outcomes: [A, A, A, A, A, A, A],
    data: (d) => expect(d.capture.created).toBe(true),
  },
  {
    name: 'Mutation.register',
    operation: () => ({ query: REGISTER, variables: { input: { email: uniqueEmail('matrix'), password: PASSWORD } } }),
    outcomes: [A, F, F, F, F, F, F],
    data: (d) => expect(d.register.created).toBe(true),
  },
  {
    name: 'Mutation.updateProfile (of the target)',
    operation: () => ({
      query: `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { customer { id } } }`,
      variables: { input: { customerId: w.target.id, attributes: [{ name: 'jobTitle', value: 'Tester' }] } },
    }),
    outcomes: [U, A, F, F, A, F, F],
    data: (d) => expect(d.updateProfile.customer.id).toBe(w.target.id),
  },
  ...(['grantConsent', 'withdrawConsent'] as const).map(
    (name): Row => ({
      name: `Mutation.${name} (of the target)`,
      operation: () => ({ query: `mutation($input: ConsentChangeInput!) { ${name}(input: $input) { consent { status } } }`, variables: { input: { customerId: w.target.id, purpose: 'analytics' } } }),
      outcomes: [U, A, F, F, A, F, F],
      data: (d) => expect(d[name].consent.status).toBe(name === 'grantConsent' ? 'GRANTED' : 'WITHDRAWN'),
    }),
  ),
  ...(['disableCustomer', 'enableCustomer'] as const).map(
    (name): Row => ({
      name: `Mutation.${name}`,
      operation: async () => ({ query: `mutation($id: ID!) { ${name}(id: $id) { customer { id } } }`, variables: { id: await captured() } }),
      outcomes: [U, F, F, A, A, F, F],
      data: (d) => expect(d[name].customer.id).toBeTruthy(),
    }),
  ),
  {
    name: 'Mutation.deleteCustomer',
    operation: async () => ({ query: `mutation($id: ID!) { deleteCustomer(id: $id) { customer { id status } } }`, variables: { id: await captured() } }),
    outcomes: [U, F, F, F, A, F, F],
    data: (d) => expect(d.deleteCustomer.customer.status).toBe('DELETED'),
  },
  {
    name: 'Mutation.exportMyData',
    operation: () => ({ query: `mutation { exportMyData { generatedAt document } }` }),
    outcomes: [U, A, A, F, F, F, F],
    fresh: true,
    data: (d) => expect(JSON.parse(d.exportMyData.document).format).toBe('kith.data-export.v1'),
  },
  {
    name: 'Mutation.deleteMyAccount',
    operation: () => ({ query: `mutation { deleteMyAccount }` }),
    outcomes: [U, A, A, F, F, F, F],
    fresh: true,
    data: (d) => expect(d.deleteMyAccount).toBe(true),
  },
  {
    name: 'Mutation.unlockCustomer',
    operation: () => ({ query: `mutation($id: ID!) { unlockCustomer(id: $id) }`, variables: { id: w.target.id } }),
    outcomes: [U, F, F, A, A, F, F],
    data: (d) => expect(d.unlockCustomer).toBe(true),
  },
  {
    name: 'Mutation.revokeSession',
    operation: () => ({ query: `mutation($id: ID!) { revokeSession(id: $id) }`, variables: { id: NO_SUCH_ID } }),
    outcomes: [U, A, A, A, A, F, F],
    data: (d) => expect(d.revokeSession).toBe(false),
  },
  { name: 'Mutation.revokeOtherSessions', operation: () => ({ query: `mutation { revokeOtherSessions }` }), outcomes: [U, A, A, F, F, F, F], fresh: true, data: (d) => expect(d.revokeOtherSessions).toBe(0) },
  { name: 'Mutation.signOut', operation: () => ({ query: `mutation { signOut }` }), outcomes: [U, A, A, F, F, F, F], fresh: true, data: (d) => expect(d.signOut).toBe(true) },
  { name: 'Mutation.staffSignOut', operation: () => ({ query: `mutation { staffSignOut }` }), outcomes: [U, F, F, A, A, F, F], fresh: true, data: (d) => expect(d.staffSignOut).toBe(true) },
  {
    name: 'Mutation.stepUp',
    operation: () => ({ query: `mutation($input: StepUpInput!) { stepUp(input: $input) { accessToken } }`, variables: { input: { password: PASSWORD } } }),
    outcomes: [U, A, A, F, F, F, F],
    data: (d) => expect(d.stepUp.accessToken).toBeTruthy(),
  },
  {
    name: 'Mutation.changePassword',
    operation: () => ({ query: `mutation($p: String!) { changePassword(input: { newPassword: $p }) }`, variables: { p: 'another matrix passphrase' } }),
    outcomes: [U, A, A, F, F, F, F],
    fresh: true,
    data: (d) => expect(d.changePassword).toBe(true),
  },
  // A customer's own factors and devices: the mutations act on the caller's account only.
  ...(
    [
      ['enrollTotp', `mutation { enrollTotp { otpauthUri } }`],
      ['confirmTotp', `mutation { confirmTotp(code: "000000") { recoveryCodes } }`],
      ['removeTotp', `mutation { removeTotp }`],
      ['regenerateRecoveryCodes', `mutation { regenerateRecoveryCodes { recoveryCodes } }`],
      ['startPasskeyRegistration', `mutation { startPasskeyRegistration { expiresAt } }`],
      ['finishPasskeyRegistration', `mutation { finishPasskeyRegistration(input: { response: { id: "x" }, name: "x" }) { id } }`],
      ['startPasskeyStepUp', `mutation { startPasskeyStepUp { expiresAt } }`],
      ['renamePasskey', `mutation { renamePasskey(id: "${NO_SUCH_ID}", name: "x") { id } }`],
      ['removePasskey', `mutation { removePasskey(id: "${NO_SUCH_ID}") }`],
      ['changeEmail', `mutation { changeEmail(input: { newEmail: "matrix-${randomUUID()}@example.com" }) { customer { id } } }`],
    ] as const
  ).map((entry): Row => ({ name: `Mutation.${entry[0]}`, operation: () => ({ query: entry[1] }), outcomes: [U, A, A, F, F, F, F], fresh: true })),
  {
    name: 'Mutation.defineAttribute',
    operation: () => ({ query: `mutation($input: DefineAttributeInput!) { defineAttribute(input: $input) { name } }`, variables: { input: { name: uniqueName(), type: 'INTEGER' } } }),
    outcomes: [U, F, F, F, A, F, F],
    data: (d) => expect(d.defineAttribute.name).toBeTruthy(),
  },
  { name: 'Mutation.removeAttribute', operation: () => ({ query: `mutation($n: String!) { removeAttribute(name: $n) }`, variables: { n: uniqueName() } }), outcomes: [U, F, F, F, A, F, F] },
  {
    name: 'Mutation.definePurpose',
    operation: () => ({
      query: `mutation($input: DefinePurposeInput!) { definePurpose(input: $input) { key } }`,
      variables: { input: { key: `m_${randomUUID().replace(/-/g, '')}`, title: 'Matrix', description: 'Matrix tests.' } },
    }),
    outcomes: [U, F, F, F, A, F, F],
    data: (d) => expect(d.definePurpose.key).toMatch(/^m_/),
  },
  {
    name: 'Mutation.createStaffMember',
    operation: () => ({
      query: `mutation($input: CreateStaffMemberInput!) { createStaffMember(input: $input) { role } }`,
      variables: { input: { email: uniqueEmail('matrix-staff'), name: 'Matrix', role: 'AGENT', initialPassword: PASSWORD } },
    }),
    outcomes: [U, F, F, F, A, F, F],
    data: (d) => expect(d.createStaffMember.role).toBe('AGENT'),
  },
  {
    name: 'Mutation.changeStaffPassword',
    operation: () => ({ query: `mutation { changeStaffPassword(input: { currentPassword: "not it", newPassword: "x" }) { accessToken } }` }),
    outcomes: [U, F, F, A, A, F, F],
    fresh: true,
  },
  {
    name: 'Mutation.enrollStaffTotp',
    operation: () => ({ query: `mutation { enrollStaffTotp(currentPassword: "${PASSWORD}") { otpauthUri } }` }),
    outcomes: [U, F, F, A, A, F, F],
    fresh: true,
    data: (d) => expect(d.enrollStaffTotp.otpauthUri).toMatch(/^otpauth:\/\/totp\//),
  },
  { name: 'Mutation.confirmStaffTotp', operation: () => ({ query: `mutation { confirmStaffTotp(code: "000000") { accessToken } }` }), outcomes: [U, F, F, A, A, F, F], fresh: true },
  { name: 'Mutation.removeStaffTotp', operation: () => ({ query: `mutation { removeStaffTotp(currentPassword: "${PASSWORD}") { accessToken } }` }), outcomes: [U, F, F, A, A, F, F], fresh: true },
  { name: 'Mutation.resetStaffTotp', operation: () => ({ query: `mutation { resetStaffTotp(id: "${NO_SUCH_ID}") { id } }` }), outcomes: [U, F, F, F, A, F, F] },
  { name: 'Mutation.resetStaffPassword', operation: () => ({ query: `mutation { resetStaffPassword(id: "${NO_SUCH_ID}", newPassword: "a reset matrix passphrase") { id } }` }), outcomes: [U, F, F, F, A, F, F] },
  { name: 'Mutation.setStaffRole', operation: () => ({ query: `mutation { setStaffRole(id: "${NO_SUCH_ID}", role: AGENT) { id } }` }), outcomes: [U, F, F, F, A, F, F] },
  { name: 'Mutation.setStaffEnabled', operation: () => ({ query: `mutation { setStaffEnabled(id: "${NO_SUCH_ID}", enabled: true) { id } }` }), outcomes: [U, F, F, F, A, F, F] },
  {
    name: 'Mutation.createServiceClient',
    operation: () => ({
      query: `mutation($input: CreateServiceClientInput!) { createServiceClient(input: $input) { clientSecret } }`,
      variables: { input: { name: 'matrix', scopes: ['SEGMENTS_READ'] } },
    }),
    outcomes: [U, F, F, F, A, F, F],
    data: (d) => expect(d.createServiceClient.clientSecret).toBeTruthy(),
  },
  { name: 'Mutation.updateServiceClient', operation: () => ({ query: `mutation { updateServiceClient(input: { id: "${NO_SUCH_ID}", name: "x" }) { id } }` }), outcomes: [U, F, F, F, A, F, F] },
  { name: 'Mutation.rotateServiceClientSecret', operation: () => ({ query: `mutation { rotateServiceClientSecret(id: "${NO_SUCH_ID}") { clientSecret } }` }), outcomes: [U, F, F, F, A, F, F] },
  { name: 'Mutation.setServiceClientEnabled', operation: () => ({ query: `mutation { setServiceClientEnabled(id: "${NO_SUCH_ID}", enabled: true) { id } }` }), outcomes: [U, F, F, F, A, F, F] },
];

/** The value at a response path; null when the path, or any step on it, is null or absent. */
function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || value === undefined) return null;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value ?? null;
}

const cells = rows.flatMap((row) => ROLES.map((role, i) => ({ name: row.name, role, outcome: row.outcomes[i]!, row })));
const codes = (result: GraphQLResponse) => (result.errors ?? []).map((e) => e.extensions?.code);

describe('the authorization matrix', () => {
  it.each(cells)('$name as $role: $outcome', async ({ role, outcome, row }) => {
    const caller = await callerOf(role, row.fresh ?? false);
    const { query, variables } = await row.operation();
    const result = await k.gql(query, variables, caller);
    if (outcome === A) {
      expect(result.status, JSON.stringify(result.errors)).not.toBe(401);
      expect(codes(result).filter((code) => AUTH_CODES.includes(code!)), JSON.stringify(result.errors)).toEqual([]);
      if (row.data) {
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        row.data(result.data!);
      }
    } else {
      expect(codes(result).length, 'a denial').toBeGreaterThan(0);
      expect(new Set(codes(result)), JSON.stringify(result.errors)).toEqual(new Set([outcome]));
      // Nothing of the denied field comes back: null wherever an error points (a nullable field's parent may
      // still come back, with the fields anyone may read, such as a customer's id).
      for (const error of result.errors ?? []) expect(valueAt(result.data, error.path ?? []), JSON.stringify(error.path)).toBeNull();
      // Any other denied row is a whole root field: none of it comes back.
      if (!row.name.startsWith('Customer.')) expect(Object.values(result.data ?? {}).every((value) => value === null)).toBe(true);
    }
  });
});

describe('ownership behind an allowed cell', () => {
  it('revokeSession lets a customer end only their own sessions', async () => {
    const [owner, stranger] = await Promise.all([customer(), customer()]);
    const { viewer } = await k.ok(`{ viewer { sessionId } }`, {}, { token: owner.token });
    const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) }`;
    expect((await k.ok(REVOKE, { id: viewer.sessionId }, { token: stranger.token })).revokeSession).toBe(false);
    expect((await k.gql(`{ me { id } }`, {}, { token: owner.token })).data?.me).toEqual({ id: owner.id });
    expect((await k.ok(REVOKE, { id: viewer.sessionId }, { as: 'agent' })).revokeSession).toBe(true);
    expect((await k.gql(`{ me { id } }`, {}, { token: owner.token })).status).toBe(401);
  });
});

describe('a service client\'s search', () => {
  it('takes as many consent conditions as anyone\'s, its own purpose added apart', async () => {
    const conditions = Array.from({ length: 10 }, () => ({ purpose: w.purpose, status: 'GRANTED' }));
    const SEARCH = `query($f: CustomerFilter) { customers(filter: $f) { edges { node { id } } } }`;
    const found = await k.ok(SEARCH, { f: { email: w.target.email, consents: conditions } }, { token: w.tokens.reader });
    expect(found.customers.edges).toEqual([{ node: { id: w.target.id } }]);
    const tooMany = await k.gql(SEARCH, { f: { consents: [...conditions, conditions[0]] } }, { token: w.tokens.reader });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.consents' });
  });
});
