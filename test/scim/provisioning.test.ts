import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signedInCustomer, startKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { changeEventsOnce, type LoggedEvent } from '../support/change-log.js';
import { clientToken, CORE, ENTERPRISE, ERROR, PATCH_OP, provisioner, type ScimClient, scimClient } from './scim-client.js';

let k: TestKith;
let s: ScimClient;
let clientId: string;

beforeAll(async () => {
  k = await startKith();
  ({ s, clientId } = await provisioner(k));
});

const CUSTOMER = `query($email: EmailAddress!) { customers(first: 1, filter: { email: $email }) { edges { node { id status email givenName familyName phoneNumber locale version } } } }`;

/** A value for a userName no other test uses. */
const user0 = () => randomUUID();

/** The customer's change events as type, fields and actor, once `ready` holds (other files' transactions can hold them back). */
async function logOf(id: string, ready: (log: LoggedEvent[]) => boolean) {
  return (await changeEventsOnce(k, id, ready)).map(({ type, changedFields, actor }) => ({ type, changedFields, actor }));
}

async function customerOf(email: string) {
  const data = await k.ok(CUSTOMER, { email }, { as: 'admin' });
  return data.customers.edges[0]?.node ?? null;
}

describe('who may provision', () => {
  it('refuses a request without a token with 401, a SCIM error and a Bearer challenge', async () => {
    const response = await scimClient(k, null).request('GET', '/Users');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(response.body).toEqual({ schemas: [ERROR], status: '401', detail: expect.any(String) });
  });

  it('refuses an invalid token with 401', async () => {
    expect((await scimClient(k, 'not-a-token').request('GET', '/Users')).status).toBe(401);
    expect((await scimClient(k, 'aaa.bbb.ccc').request('POST', '/Users', { schemas: [CORE], userName: uniqueEmail() })).status).toBe(401);
  });

  it('refuses valid principals without provisioning:write with 403: a client with other scopes, a customer, staff', async () => {
    const reader = await clientToken(k, ['CUSTOMERS_READ', 'PROFILES_SUBSCRIBE']);
    const customer = await signedInCustomer(k, ADMIN_PASSWORD);
    for (const token of [reader.token, customer.token, await k.staffToken('admin')]) {
      const response = await scimClient(k, token).request('POST', '/Users', { schemas: [CORE], userName: uniqueEmail() });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ schemas: [ERROR], status: '403' });
    }
  });

  it('serves the discovery endpoints to anyone', async () => {
    const anonymous = scimClient(k, null);
    const config = await anonymous.request('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true, maxResults: 200 }, sort: { supported: true }, etag: { supported: true } });
    expect(config.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
    const types = await anonymous.request('GET', '/ResourceTypes');
    expect(types.body.Resources).toEqual([expect.objectContaining({ id: 'User', endpoint: '/Users', schema: CORE, schemaExtensions: [{ schema: ENTERPRISE, required: false }] })]);
    expect((await anonymous.request('GET', '/ResourceTypes/User')).body.id).toBe('User');
    const schemas = await anonymous.request('GET', '/Schemas');
    expect(schemas.body.Resources.map((r: any) => r.id)).toEqual([CORE, ENTERPRISE]);
    const core = await anonymous.request('GET', `/Schemas/${CORE}`);
    expect(core.body.attributes.find((a: any) => a.name === 'userName')).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server' });
    expect((await anonymous.request('GET', '/Schemas/urn:nope')).status).toBe(404);
    expect((await anonymous.request('GET', '/Groups')).body).toMatchObject({ schemas: [ERROR], status: '404' });
  });
});

describe('a SCIM user is a customer', () => {
  it('appears in GraphQL customers as a LIGHT customer, with change events by client:<client_id>', async () => {
    const email = uniqueEmail('scim');
    const created = await s.request('POST', '/Users', {
      schemas: [CORE, ENTERPRISE],
      userName: email,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      locale: 'en-GB',
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
      [ENTERPRISE]: { employeeNumber: '1815', manager: { value: 'b-1' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.phoneNumbers).toEqual([{ value: '+442079460000', type: 'work', primary: true }]);
    const customer = await customerOf(email);
    expect(customer).toEqual({ id: created.body.id, status: 'LIGHT', email, givenName: 'Ada', familyName: 'Lovelace', phoneNumber: '+442079460000', locale: 'en-GB', version: 1 });
    const events = await logOf(customer.id, (log) => log.length > 0);
    expect(events).toEqual([
      {
        type: 'customer.created',
        changedFields: expect.arrayContaining(['email', 'status', 'givenName', 'familyName', 'phoneNumber', 'locale', 'scim.enterpriseUser']),
        actor: `client:${clientId}`,
      },
    ]);
  });

  it('disables with active false, enables with active true, and logs both', async () => {
    const email = uniqueEmail('active');
    const { body: user } = await s.request('POST', '/Users', { schemas: [CORE], userName: email, active: false });
    expect(user.active).toBe(false);
    expect((await customerOf(email)).status).toBe('DISABLED');
    const enabled = await s.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: 'True' } }] });
    expect(enabled.body.active).toBe(true);
    expect((await customerOf(email)).status).toBe('LIGHT');
    await s.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect((await customerOf(email)).status).toBe('DISABLED');
    const types = (await logOf(user.id, (log) => log.length >= 3)).map((e) => e.type);
    expect(types).toEqual(['customer.created', 'customer.enabled', 'customer.disabled']);
  });

  it('a SCIM-created customer registers later: the light account is upgraded, SCIM shows the same user', async () => {
    const email = uniqueEmail('later');
    const { body: user } = await s.request('POST', '/Users', { schemas: [CORE], userName: email, externalId: 'x-1' });
    const { register } = await k.ok(`mutation($input: RegisterInput!) { register(input: $input) { created customer { id } } }`, { input: { email, password: ADMIN_PASSWORD } });
    expect(register).toEqual({ created: false, customer: { id: user.id } });
    const after = await s.request('GET', `/Users/${user.id}`);
    expect(after.body).toMatchObject({ externalId: 'x-1', userName: email, active: true, meta: { version: 'W/"2"' } });
  });

  it('keeps userName and the email apart: a PATCH of userName changes only userName, one of the primary email changes the email', async () => {
    const email = uniqueEmail('before');
    const { body: user } = await s.request('POST', '/Users', { schemas: [CORE], userName: `u-${user0()}`, emails: [{ value: email, type: 'work' }] });
    const name = `renamed-${user0()}`;
    const renamed = await s.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { userName: name } }] });
    expect(renamed.body).toMatchObject({ userName: name, emails: [{ value: email, type: 'work', primary: true }] });
    expect((await customerOf(email)).id).toBe(user.id);
    const next = uniqueEmail('after');
    const moved = await s.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[primary eq true].value', value: next }] });
    expect(moved.body).toMatchObject({ userName: name, emails: [{ value: next, type: 'work', primary: true }] });
    expect((await customerOf(next)).id).toBe(user.id);
    const last = (await logOf(user.id, (log) => log.at(-1)?.changedFields.includes('email') === true)).at(-1);
    expect(last).toEqual({ type: 'customer.updated', changedFields: ['email', 'emailVerified'], actor: `client:${clientId}` });
  });

  it('takes the customer email from emails[primary], else from an email userName; neither is 400 naming emails', async () => {
    const [home, work] = [uniqueEmail('home'), uniqueEmail('work')];
    const userName = `bj-${user0()}`;
    const primary = await s.request('POST', '/Users', { schemas: [CORE], userName, emails: [{ value: home, type: 'home' }, { value: work, type: 'work', primary: true }] });
    expect(primary.status).toBe(201);
    expect(primary.body).toMatchObject({ userName, emails: [{ value: work, type: 'work', primary: true }, { value: home, type: 'home' }] });
    expect((await customerOf(work)).id).toBe(primary.body.id);
    expect(await customerOf(home)).toBeNull();
    const email = uniqueEmail('only');
    const plain = await s.request('POST', '/Users', { schemas: [CORE], userName: email });
    expect(plain.body).toMatchObject({ userName: email, emails: [{ value: email, primary: true }] });
    expect((await customerOf(email)).id).toBe(plain.body.id);
    const neither = await s.request('POST', '/Users', { schemas: [CORE], userName: `nomail-${user0()}` });
    expect(neither.status).toBe(400);
    expect(neither.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringMatching(/^emails: a customer needs an email address: send emails\[primary\] or an email as userName/) });
  });

  it('refuses a taken userName in any case and a taken email with 409 uniqueness', async () => {
    const userName = `Taken-${user0()}`;
    const email = uniqueEmail('taken');
    const first = await s.request('POST', '/Users', { schemas: [CORE], userName, emails: [{ value: email }] });
    expect(first.status).toBe(201);
    const sameName = await s.request('POST', '/Users', { schemas: [CORE], userName: userName.toLowerCase(), emails: [{ value: uniqueEmail() }] });
    expect([sameName.status, sameName.body.scimType]).toEqual([409, 'uniqueness']);
    expect(sameName.body.detail).toContain(userName.toLowerCase());
    const sameEmail = await s.request('POST', '/Users', { schemas: [CORE], userName: `other-${user0()}`, emails: [{ value: email.toUpperCase().replace('@EXAMPLE.COM', '@example.com'), primary: true }] });
    expect([sameEmail.status, sameEmail.body.scimType]).toEqual([409, 'uniqueness']);
    expect(sameEmail.body.detail.toLowerCase()).toContain(email);
    // The same through PATCH, against a customer that registered by itself (no SCIM record).
    const other = uniqueEmail('other');
    await k.ok(`mutation($input: CaptureInput!) { capture(input: $input) { created } }`, { input: { email: other } });
    const { body: second } = await s.request('POST', '/Users', { schemas: [CORE], userName: uniqueEmail('second') });
    const patch = (Operations: unknown[]) => s.request('PATCH', `/Users/${second.id}`, { schemas: [PATCH_OP], Operations });
    expect((await patch([{ op: 'replace', path: 'userName', value: userName.toUpperCase() }])).body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const takenEmail = await patch([{ op: 'replace', path: 'emails[primary eq true].value', value: other.toUpperCase() }]);
    expect(takenEmail.body).toMatchObject({ status: '409', scimType: 'uniqueness', detail: expect.stringContaining('email') });
  });

  it('filters userName case-insensitively, and finds customers without a SCIM record by their email', async () => {
    const userName = `CaseName-${user0()}`;
    const { body: user } = await s.request('POST', '/Users', { schemas: [CORE], userName, emails: [{ value: uniqueEmail() }] });
    expect((await s.list({ filter: `userName eq "${userName.toLowerCase()}"` })).body.Resources.map((r: any) => r.id)).toEqual([user.id]);
    const email = uniqueEmail('self');
    await k.ok(`mutation($input: CaptureInput!) { capture(input: $input) { created } }`, { input: { email } });
    const found = await s.list({ filter: `userName eq "${email.toUpperCase()}"` });
    expect(found.body.Resources).toMatchObject([{ userName: email, emails: [{ value: email, primary: true }] }]);
  });

  it('logs SCIM-only changes as customer.updated with scim.* field names, and bumps the version', async () => {
    const { body: user } = await s.request('POST', '/Users', { schemas: [CORE], userName: uniqueEmail('upd') });
    const patched = await s.request('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', value: { displayName: 'Babs', externalId: 'e-9', name: { givenName: 'Barbara' }, emails: [{ value: user.userName, type: 'work' }] } }],
    });
    expect(patched.body.meta.version).toBe('W/"2"');
    const last = (await logOf(user.id, (log) => log.length >= 2)).at(-1);
    expect(last).toEqual({ type: 'customer.updated', changedFields: ['givenName', 'scim.externalId', 'scim.displayName', 'scim.emails'], actor: `client:${clientId}` });
  });

  it('ignores attributes outside the schema and read-only ones', async () => {
    const response = await s.request('POST', '/Users', {
      schemas: [CORE],
      userName: uniqueEmail('extra'),
      password: 't1meMa$heen',
      groups: [{ value: 'g-1' }],
      roles: [{ value: 'admin' }],
      meta: { created: '2000-01-01T00:00:00Z' },
      id: 'chosen-by-client',
    });
    expect(response.status).toBe(201);
    expect(Object.keys(response.body).sort()).toEqual(['active', 'emails', 'id', 'meta', 'schemas', 'userName']);
    expect(response.body.id).not.toBe('chosen-by-client');
    expect(response.body.meta.created).not.toBe('2000-01-01T00:00:00Z');
  });

  it('gives one new userName to one of two users changing to it at once; the other gets 409 uniqueness', async () => {
    const [a, b] = await Promise.all([uniqueEmail('a'), uniqueEmail('b')].map((userName) => s.request('POST', '/Users', { schemas: [CORE], userName })));
    const wanted = `wanted-${user0()}`;
    const answers = await Promise.all(
      [a!, b!].map((u) => s.request('PATCH', `/Users/${u.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: wanted }] })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 409)!.body.scimType).toBe('uniqueness');
    const holder = await s.list({ filter: `userName eq "${wanted.toUpperCase()}"` });
    expect(holder.body.Resources.map((r: any) => r.id)).toEqual([answers.find((r) => r.status === 200)!.body.id]);
  });

  it('DELETE erases the customer as an account deletion does, with a customer.deleted event, and frees the userName and email', async () => {
    const email = uniqueEmail('deleted');
    const { body: user } = await s.request('POST', '/Users', { schemas: [CORE], userName: email, name: { givenName: 'Gone' }, displayName: 'Gone Away' });
    await s.request('DELETE', `/Users/${user.id}`);
    expect(await customerOf(email)).toBeNull();
    const { customer } = await k.ok(`query($id: ID!) { customer(id: $id) { status email givenName } }`, { id: user.id }, { as: 'admin' });
    expect(customer).toEqual({ status: 'DELETED', email: null, givenName: null });
    const last = (await changeEventsOnce(k, user.id, (log) => log.at(-1)?.type === 'customer.deleted')).at(-1);
    expect(last).toMatchObject({ type: 'customer.deleted', changedFields: ['status', 'email', 'givenName', 'scim'], actor: `client:${clientId}` });
    const again = await s.request('POST', '/Users', { schemas: [CORE], userName: email });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(user.id);
  });
});

describe('request bodies', () => {
  it('accepts application/json as well as application/scim+json', async () => {
    const response = await s.request('POST', '/Users', JSON.stringify({ schemas: [CORE], userName: uniqueEmail() }), { 'content-type': 'application/json' });
    expect(response.status).toBe(201);
  });

  it('refuses malformed bodies with invalidSyntax and bad values with invalidValue', async () => {
    const post = (body: unknown) => s.request('POST', '/Users', body);
    expect((await post('{"schemas": [')).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await post({ userName: uniqueEmail() })).body).toMatchObject({ scimType: 'invalidSyntax' });
    expect((await post({ schemas: [CORE] })).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await post({ schemas: [CORE], userName: 'bjensen' })).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await post({ schemas: [CORE], userName: ' ' })).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await post({ schemas: [CORE], userName: uniqueEmail(), phoneNumbers: [{ value: '555-555-8377' }] })).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await post({ schemas: [CORE], userName: uniqueEmail(), locale: 'not a locale!' })).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await post({ schemas: [CORE], userName: uniqueEmail(), emails: 'x' })).body).toMatchObject({ scimType: 'invalidValue' });
    const email = uniqueEmail();
    expect((await post({ schemas: [CORE], userName: email, emails: [{ value: 'not an email', primary: true }] })).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await post({ schemas: [CORE], userName: email, emails: [{ value: uniqueEmail(), primary: true }, { value: email, primary: true }] })).body).toMatchObject({ scimType: 'invalidValue' });
    expect(await customerOf(email)).toBeNull();
  });
});

describe('the README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## SCIM 2.0 provisioning'));

  it('creates and finds the user as its curl example does', async () => {
    const body = JSON.parse(/-d '(\{[\s\S]*?\})'/.exec(section)![1]!);
    const filter = /--data-urlencode 'filter=(.*)'/.exec(section)![1]!;
    const userName = `bjensen-${user0()}`;
    const created = await s.request('POST', '/Users', { ...body, userName, emails: [{ ...body.emails[0], value: uniqueEmail('bjensen') }] });
    expect(created.status).toBe(201);
    const found = await s.list({ filter: filter.replace('"BJensen"', JSON.stringify(userName.toUpperCase())) });
    expect(found.body.Resources.map((r: any) => r.id)).toEqual([created.body.id]);
  });
});

describe('the state staff set', () => {
  it('survives a PUT that leaves active out: a routine sync does not re-enable a disabled account', async () => {
    const email = uniqueEmail('scim-locked');
    const created = await s.request('POST', '/Users', { schemas: [CORE], userName: email, displayName: 'Locked' });
    await k.ok(`mutation($id: ID!) { disableCustomer(id: $id) { customer { status } } }`, { id: created.body.id }, { as: 'agent' });
    const put = await s.request('PUT', `/Users/${created.body.id}`, { schemas: [CORE], userName: email, displayName: 'Locked, renamed' });
    expect(put.status).toBe(200);
    expect(put.body.active).toBe(false);
    expect((await customerOf(email)).status).toBe('DISABLED');
    // Said explicitly, active still decides.
    const enabled = await s.request('PUT', `/Users/${created.body.id}`, { schemas: [CORE], userName: email, active: true });
    expect(enabled.body.active).toBe(true);
  });
});

describe('inputs the database could not hold', () => {
  it('answer 400 with the RFC error, never 500: impossible dates, NUL characters', async () => {
    for (const filter of ['meta.created gt "2011-02-30T00:00:00Z"', 'meta.created gt "0000-01-01T00:00:00Z"', 'meta.lastModified lt "2011-05-13T24:00:00Z"', 'userName eq "a\\u0000b"']) {
      const response = await s.list({ filter });
      expect([response.status, response.body.scimType], filter).toEqual([400, 'invalidFilter']);
    }
    const email = uniqueEmail('scim-nul');
    const created = await s.request('POST', '/Users', { schemas: [CORE], userName: email });
    const put = await s.request('PUT', `/Users/${created.body.id}`, { schemas: [CORE], userName: email, displayName: 'nul\u0000here' });
    expect([put.status, put.body.scimType]).toEqual([400, 'invalidValue']);
    const patch = await s.request('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'nul\u0000here' }] });
    expect([patch.status, patch.body.scimType]).toEqual([400, 'invalidValue']);
    const fine = await s.list({ filter: 'meta.created gt "2011-02-28T00:00:00Z"' });
    expect(fine.status).toBe(200);
  });
});
