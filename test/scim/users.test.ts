import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, uniqueEmail } from '../support/kith.js';
import { CORE, ENTERPRISE, ERROR, PATCH_OP, provisioner, type ScimClient, type ScimResponse } from './scim-client.js';

// A database of its own: the RFC's literal userName "bjensen" and email exist once per database, so this
// file's Kith starts from an empty one each run, whatever the worker's database already holds.
let k: Awaited<ReturnType<typeof startClockedKith>>;
let s: ScimClient;
/** RFC 7644 section 3.3's create, made once before the section's tests, which read it. */
let bjensenCreated: ScimResponse;
let bjensen: Record<string, any>;

beforeAll(async () => {
  k = await startClockedKith({}, { ownDatabase: true });
  ({ s } = await provisioner(k));
  bjensenCreated = await s.request('POST', '/Users', rfcUser());
  bjensen = bjensenCreated.body;
});
afterAll(() => k?.close());

/**
 * RFC 7644 section 3.3's request as printed, with the work email RFC 7643 section 8.2 gives Barbara: a Kith
 * customer needs an email address, and section 3.3's body has none.
 */
const rfcUser = (userName = 'bjensen', email = 'bjensen@example.com') => ({
  schemas: [CORE],
  userName,
  externalId: 'bjensen',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  emails: [{ value: email, type: 'work', primary: true }],
});

/** The RFC's user under a userName and email of its own: the userName and email of each user are unique. */
const ownUser = () => rfcUser(`bjensen-${randomUUID()}`, uniqueEmail('bjensen'));
/** The same user again, as a PUT would send it. */
const again = (user: { userName: string; emails: { value: string }[] }) => rfcUser(user.userName, user.emails[0]!.value);

async function created(body: Record<string, unknown> = ownUser()) {
  const response = await s.request('POST', '/Users', body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response;
}

describe('RFC 7644 section 3 with a User', () => {
  it('3.3: creates a user and answers 201 with the resource, Location and ETag', () => {
    const response = bjensenCreated;
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const id = response.body.id;
    expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(response.headers.get('location')).toBe(`${s.base}/Users/${id}`);
    expect(response.headers.get('etag')).toBe('W/"1"');
    expect(response.body).toEqual({
      schemas: [CORE],
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      externalId: 'bjensen',
      userName: 'bjensen',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
      active: true,
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      meta: { resourceType: 'User', created: expect.any(String), lastModified: expect.any(String), location: `${s.base}/Users/${id}`, version: 'W/"1"' },
    });
    expect(response.body.meta.created).toBe(response.body.meta.lastModified);
  });

  it('3.3: a taken userName, in any case, is 409 uniqueness', async () => {
    const taken = await s.request('POST', '/Users', rfcUser('BJensen', uniqueEmail('taken')));
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: expect.any(String) });
  });

  it('3.4.1: retrieves a known user, with its ETag; attributes and excludedAttributes shape it', async () => {
    const { body: user } = await created();
    const got = await s.request('GET', `/Users/${user.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('W/"1"');
    expect(got.body).toEqual(user);
    const some = await s.request('GET', `/Users/${user.id}?attributes=userName,name.familyName`);
    expect(some.body).toEqual({ schemas: [CORE], id: user.id, userName: user.userName, name: { familyName: 'Jensen' } });
    const values = await s.request('GET', `/Users/${user.id}?attributes=emails.value,${ENTERPRISE}:department`);
    expect(values.body).toEqual({ schemas: [CORE], id: user.id, emails: [{ value: user.emails[0].value }] });
    const fewer = await s.request('GET', `/Users/${user.id}?excludedAttributes=name,emails,meta,id`);
    expect(fewer.body).toEqual({ schemas: [CORE], id: user.id, externalId: 'bjensen', userName: user.userName, active: true });
  });

  it('3.4.2: lists users with a filter in a ListResponse', async () => {
    const listed = await s.list({ filter: 'userName eq "bjensen"' });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [bjensen] });
  });

  it('3.5.1: replaces a user with PUT: the version moves on, and attributes left out are cleared', async () => {
    const { body: user } = await created();
    const replaced = await s.request('PUT', `/Users/${user.id}`, {
      schemas: [CORE],
      id: user.id,
      userName: user.userName,
      externalId: 'bjensen',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane' },
      roles: [],
      emails: [{ value: user.emails[0].value }, { value: 'babs@jensen.org' }],
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.headers.get('etag')).toBe('W/"2"');
    expect(replaced.body).toMatchObject({
      id: user.id,
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane' },
      emails: [{ value: user.emails[0].value, primary: true }, { value: 'babs@jensen.org' }],
      meta: { version: 'W/"2"', created: user.meta.created },
    });
    const bare = await s.request('PUT', `/Users/${user.id}`, { schemas: [CORE], userName: user.userName, emails: [{ value: user.emails[0].value }] });
    expect(bare.body.name).toBeUndefined();
    expect(bare.body.externalId).toBeUndefined();
    expect(bare.body.emails).toEqual([{ value: user.emails[0].value, primary: true }]);
  });

  it('3.5.1: PUT ignores readOnly attributes but refuses another id with mutability', async () => {
    const { body: user } = await created();
    const ignored = await s.request('PUT', `/Users/${user.id}`, { ...again(user), id: user.id, meta: { created: '2000-01-01T00:00:00Z' } });
    expect(ignored.body.meta.created).toBe(user.meta.created);
    const refused = await s.request('PUT', `/Users/${user.id}`, { ...again(user), id: '00000000-0000-4000-8000-000000000000' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ scimType: 'mutability', status: '400' });
  });

  it('3.5.2: patches with add, replace and remove, with and without paths and value filters', async () => {
    const { body: user } = await created();
    const patched = await s.request('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickName: 'Babs' } },
        { op: 'replace', path: 'name.givenName', value: 'Babs' },
        { op: 'add', path: 'addresses', value: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood' }] },
        { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' },
        { op: 'remove', path: 'name.formatted' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Tour Operations' },
        { op: 'replace', path: 'emails[value eq "babs@jensen.org"].type', value: 'other' },
      ],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.headers.get('etag')).toBe('W/"2"');
    expect(patched.body).toMatchObject({
      schemas: [CORE, ENTERPRISE],
      nickName: 'Babs',
      name: { givenName: 'Babs', familyName: 'Jensen' },
      emails: [{ value: user.emails[0].value, type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'other' }],
      addresses: [{ type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood' }],
      [ENTERPRISE]: { department: 'Tour Operations' },
    });
    expect(patched.body.name.formatted).toBeUndefined();
    const removed = await s.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'emails[type eq "other"]' }] });
    expect(removed.body.emails).toEqual([{ value: user.emails[0].value, type: 'work', primary: true }]);
  });

  it('3.5.2: malformed patches get the RFC errors', async () => {
    const { body: user } = await created();
    const patch = (Operations: unknown[]) => s.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations });
    expect((await patch([{ op: 'remove' }])).body).toMatchObject({ status: '400', scimType: 'noTarget' });
    expect((await patch([{ op: 'replace', path: 'emails[type eq "pager"].value', value: 'x@example.com' }])).body).toMatchObject({ scimType: 'noTarget' });
    expect((await patch([{ op: 'replace', path: 'emails[type eq', value: 'x' }])).body).toMatchObject({ scimType: 'invalidPath' });
    expect((await patch([{ op: 'replace', path: 'nosuch', value: 'x' }])).body).toMatchObject({ scimType: 'invalidPath' });
    expect((await patch([{ op: 'replace', path: 'id', value: 'x' }])).body).toMatchObject({ scimType: 'mutability' });
    expect((await patch([{ op: 'replace', path: 'active', value: 'maybe' }])).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await patch([{ op: 'remove', path: 'userName' }])).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await patch([{ op: 'add', path: 'emails', value: [{ value: 42 }] }])).body).toMatchObject({ scimType: 'invalidValue' });
    expect((await s.request('PATCH', `/Users/${user.id}`, { Operations: [] })).body).toMatchObject({ scimType: 'invalidSyntax' });
    // Nothing of the refused patches was written.
    expect((await s.request('GET', `/Users/${user.id}`)).body).toEqual(user);
  });

  it('3.6: deletes a user: 204, then 404 with a SCIM error, gone from lists', async () => {
    const { body: user } = await created();
    expect((await s.request('DELETE', `/Users/${user.id}`)).status).toBe(204);
    const gone = await s.request('GET', `/Users/${user.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ schemas: [ERROR], status: '404', detail: expect.any(String) });
    expect((await s.list({ filter: `id eq "${user.id}"` })).body.totalResults).toBe(0);
    expect((await s.request('DELETE', `/Users/${user.id}`)).status).toBe(404);
    expect((await s.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'x' }] })).status).toBe(404);
    expect((await s.request('GET', '/Users/not-a-uuid')).status).toBe(404);
  });
});

describe('versions and ETags (RFC 7644 section 3.14)', () => {
  it('answers 304 to If-None-Match with the current version, 200 otherwise', async () => {
    const { body: user } = await created();
    const cached = await s.request('GET', `/Users/${user.id}`, undefined, { 'if-none-match': 'W/"1"' });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe('W/"1"');
    expect((await s.request('GET', `/Users/${user.id}`, undefined, { 'if-none-match': 'W/"7"' })).status).toBe(200);
  });

  it('refuses PUT, PATCH and DELETE with a stale If-Match with 412, and applies them with the current one', async () => {
    const { body: user } = await created();
    const stale = { 'if-match': 'W/"0"' };
    const put = await s.request('PUT', `/Users/${user.id}`, again(user), stale);
    expect(put.status).toBe(412);
    expect(put.body).toMatchObject({ schemas: [ERROR], status: '412' });
    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'Tour Guide' }] };
    expect((await s.request('PATCH', `/Users/${user.id}`, patch, stale)).status).toBe(412);
    expect((await s.request('DELETE', `/Users/${user.id}`, undefined, stale)).status).toBe(412);
    const applied = await s.request('PATCH', `/Users/${user.id}`, patch, { 'if-match': 'W/"1"' });
    expect(applied.status).toBe(200);
    expect(applied.body.meta.version).toBe('W/"2"');
    expect((await s.request('PUT', `/Users/${user.id}`, again(user), { 'if-match': '*' })).status).toBe(200);
    expect((await s.request('DELETE', `/Users/${user.id}`, undefined, { 'if-match': 'W/"3"' })).status).toBe(204);
  });

  it('applies concurrent patches without If-Match one after the other, none lost', async () => {
    const { body: user } = await created();
    const values = Array.from({ length: 6 }, (_, i) => `alias${i}@example.org`);
    const answers = await Promise.all(
      values.map((value) => s.request('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value, type: 'other' }] }] })),
    );
    expect(answers.map((a) => a.status)).toEqual(values.map(() => 200));
    const after = await s.request('GET', `/Users/${user.id}`);
    expect(after.body.emails.map((e: any) => e.value).sort()).toEqual([user.emails[0].value, ...values].sort());
    expect(after.body.meta.version).toBe('W/"7"');
  });

  it('leaves the version alone when a PUT changes nothing', async () => {
    const { body: user } = await created();
    const same = await s.request('PUT', `/Users/${user.id}`, again(user));
    expect(same.body.meta.version).toBe('W/"1"');
  });
});
