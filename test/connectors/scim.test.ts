import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimKind } from '../../src/connectors/scim/index.js';
import { PREFIX, startScimPeer, type ScimPeer } from '../support/peers/scim-server.js';
import { clientFor, connectorContract, deliveryOf, newPerson, type ContractSubject } from './contract.js';

const TOKEN = 'scim-provisioning-token';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const subject: ContractSubject<ScimPeer> = {
  kind: scimKind,
  startPeer: () => startScimPeer({ token: TOKEN }),
  settings: (url) => ({ baseUrl: `${url}${PREFIX}` }),
  secrets: { bearerToken: TOKEN },
  wrongSecrets: { bearerToken: 'someone-elses-token' },
  fields: (_person, givenName) => ({ 'name.givenName': givenName, 'name.familyName': 'Lovelace' }),
  rejectedFields: () => ({ shoeSize: 9 }),
  // Unsubscribe deprovisions: the user stays, with active false.
  view: (peer, person) => {
    const user = peer.user({ externalId: person.customerId });
    return user && { givenName: (user.name as { givenName?: string } | undefined)?.givenName, optedOut: user.active === false };
  },
  badConfig: [
    { settings: {}, field: 'settings.baseUrl' },
    { settings: { baseUrl: 'https://idp.example.com/scim/v2?tenant=1' }, field: 'settings.baseUrl' },
    { secrets: { bearerToken: '   ' }, field: 'secrets.bearerToken' },
    { secrets: 'token', field: 'secrets' },
  ],
};

connectorContract(subject);

describe('SCIM specifics', () => {
  let peer: ScimPeer;
  beforeAll(async () => {
    peer = await startScimPeer({ token: TOKEN });
  });
  afterAll(() => peer.close());

  it('creates with POST /Users (core and extension schemas), then updates with a PatchOp replace', async () => {
    const person = newPerson();
    const client = clientFor(subject, peer);
    const first = deliveryOf('upsert', person, { 'name.givenName': 'Ada', [`${ENTERPRISE}:department`]: 'Research' });
    const before = peer.requests.length;
    expect(await client.deliver([first])).toEqual([{ ok: true }]);
    const [lookup, post] = peer.requests.slice(before);
    expect(lookup!.query.get('filter')).toBe(`externalId eq "${person.customerId}" or userName eq "${person.email}"`);
    expect(post).toMatchObject({
      method: 'POST',
      path: '/scim/v2/Users',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json', 'idempotency-key': first.idempotencyKey },
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
        userName: person.email,
        externalId: person.customerId,
        active: true,
        name: { givenName: 'Ada' },
        emails: [{ value: person.email, type: 'work', primary: true }],
        [ENTERPRISE]: { department: 'Research' },
      },
    });
    const id = peer.user({ externalId: person.customerId })!.id as string;
    const mark = peer.requests.length;
    expect(await client.deliver([deliveryOf('upsert', person, { 'name.familyName': 'King', [`${ENTERPRISE}:department`]: null })])).toEqual([{ ok: true }]);
    const [, patch] = peer.requests.slice(mark);
    expect(patch).toMatchObject({ method: 'PATCH', path: `/scim/v2/Users/${id}` });
    expect((patch!.body as { Operations: unknown[] }).Operations).toEqual([
      { op: 'replace', value: expect.objectContaining({ name: { familyName: 'King' }, active: true }) },
      { op: 'remove', path: `${ENTERPRISE}:department` },
    ]);
    expect(peer.user({ externalId: person.customerId })).toMatchObject({ name: { givenName: 'Ada', familyName: 'King' }, [ENTERPRISE]: {} });
  });

  it('finds a user made before by its userName, and an email change updates the same user', async () => {
    const person = newPerson();
    const client = clientFor(subject, peer);
    await client.deliver([deliveryOf('upsert', person, {})]);
    const moved = { ...person, email: `moved-${person.email}` };
    expect(await client.deliver([deliveryOf('upsert', moved, {})])).toEqual([{ ok: true }]);
    expect(peer.user({ externalId: person.customerId })?.userName).toBe(moved.email);
    expect(peer.user({ userName: person.email })).toBeUndefined();
  });

  it('deletes the user of an erased account (no email left) by its externalId alone', async () => {
    const person = newPerson();
    const client = clientFor(subject, peer);
    await client.deliver([deliveryOf('upsert', person, {})]);
    const mark = peer.requests.length;
    expect(await client.deliver([{ ...deliveryOf('delete', person), email: null }])).toEqual([{ ok: true }]);
    const [lookup, removal] = peer.requests.slice(mark);
    expect(lookup!.query.get('filter')).toBe(`externalId eq "${person.customerId}"`);
    expect(removal).toMatchObject({ method: 'DELETE' });
    expect(peer.user({ externalId: person.customerId })).toBeUndefined();
  });

  it("never deletes by userName: a delete whose user is gone leaves another user with that address alone", async () => {
    const erased = newPerson();
    const owner = { ...newPerson(), email: erased.email };
    const client = clientFor(subject, peer);
    // The address now belongs to someone else's user; the erased customer's own user was never made.
    await client.deliver([deliveryOf('upsert', owner, {})]);
    const mark = peer.requests.length;
    expect(await client.deliver([deliveryOf('delete', erased)])).toEqual([{ ok: true }]);
    expect(peer.requests[mark]!.query.get('filter')).toBe(`externalId eq "${erased.customerId}"`);
    expect(peer.requests.slice(mark).some((r) => r.method === 'DELETE')).toBe(false);
    expect(peer.user({ externalId: owner.customerId })).toBeDefined();
  });

  it('unsubscribe deactivates, a later upsert re-activates; unsubscribing an unknown user is a no-op', async () => {
    const person = newPerson();
    const client = clientFor(subject, peer);
    await client.deliver([deliveryOf('upsert', person, {}), deliveryOf('unsubscribe', person, {})]);
    expect(peer.user({ externalId: person.customerId })?.active).toBe(false);
    await client.deliver([deliveryOf('upsert', person, {})]);
    expect(peer.user({ externalId: person.customerId })?.active).toBe(true);
    expect(await client.deliver([deliveryOf('unsubscribe', newPerson(), {})])).toEqual([{ ok: true }]);
  });

  it('an RFC 7644 error shows its scimType and detail', async () => {
    const [outcome] = await clientFor(subject, peer).deliver([deliveryOf('upsert', newPerson(), { nickName: 'x', 'bogus.path': 'y' })]);
    expect(outcome).toEqual({ ok: false, retryable: false, error: "REJECTED: invalidSyntax: Unknown attribute 'bogus' (HTTP 400)" });
  });

  it('a create answered 409 uniqueness (another writer won) looks again once before giving up', async () => {
    const person = newPerson();
    peer.fail({ pass: true }, { status: 409, message: 'userName is already taken' });
    const before = peer.requests.length;
    expect(await clientFor(subject, peer).deliver([deliveryOf('upsert', person, {})])).toEqual([{ ok: true }]);
    expect(peer.requests.slice(before).map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
  });

  it('test() reads the ServiceProviderConfig', async () => {
    const before = peer.requests.length;
    expect(await clientFor(subject, peer).test()).toEqual({ ok: true });
    expect(peer.requests[before]).toMatchObject({ method: 'GET', path: '/scim/v2/ServiceProviderConfig' });
  });
});
