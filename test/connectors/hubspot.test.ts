import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { hubspotKind } from '../../src/connectors/hubspot/index.js';
import { startHubspotPeer, type HubspotPeer } from '../support/peers/hubspot.js';
import { clientFor, connectorContract, deliveryOf, newPerson, type ContractSubject } from './contract.js';

const TOKEN = 'pat-na1-test-token';

const subject: ContractSubject<HubspotPeer> = {
  kind: hubspotKind,
  startPeer: () => startHubspotPeer({ token: TOKEN }),
  settings: (url) => ({ baseUrl: url }),
  secrets: { accessToken: TOKEN },
  wrongSecrets: { accessToken: 'pat-na1-revoked' },
  fields: (person, givenName) => ({ email: person.email, firstname: givenName, lastname: 'Lovelace' }),
  rejectedFields: (person) => ({ email: person.email, no_such_property: 'x' }),
  view: (peer, person) => {
    const contact = peer.contact(person.email);
    return contact && { givenName: contact.firstname, optedOut: contact.kith_marketing_opt_out === 'true' };
  },
  badConfig: [
    { settings: { baseUrl: 'ftp://example.com' }, field: 'settings.baseUrl' },
    { settings: { baseUrl: 'not a url' }, field: 'settings.baseUrl' },
    { settings: { optOutProperty: 'Has Spaces' }, field: 'settings.optOutProperty' },
    { settings: 'https://api.hubapi.com', field: 'settings' },
    { settings: { deleteMode: 'purge' }, field: 'settings.deleteMode' },
    { secrets: {}, field: 'secrets.accessToken' },
    { secrets: { accessToken: 42 }, field: 'secrets.accessToken' },
  ],
};

connectorContract(subject);

describe('HubSpot specifics', () => {
  let peer: HubspotPeer;
  beforeAll(async () => {
    peer = await startHubspotPeer({ token: TOKEN });
  });
  afterAll(() => peer.close());

  it('defaults to api.hubapi.com, the kith_marketing_opt_out property and archiving', () => {
    expect(hubspotKind.parseSettings({})).toEqual({ baseUrl: 'https://api.hubapi.com', optOutProperty: 'kith_marketing_opt_out', deleteMode: 'archive' });
  });

  it('refuses for good, without a request, a delete whose email is gone (HubSpot finds contacts by email only)', async () => {
    const person = newPerson();
    const client = clientFor(subject, peer);
    const before = peer.requests.length;
    const [outcome] = await client.deliver([{ ...deliveryOf('delete', person), email: null }]);
    expect(outcome).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^REJECTED: .*by hand/) });
    expect(peer.requests.length).toBe(before);
  });

  it('with deleteMode gdpr, deletes permanently by email through gdpr-delete', async () => {
    const person = newPerson();
    const client = hubspotKind.create({
      settings: hubspotKind.parseSettings({ baseUrl: peer.url, deleteMode: 'gdpr' }),
      secrets: hubspotKind.parseSecrets({ accessToken: TOKEN }),
      fetch: globalThis.fetch,
      now: () => new Date(),
      timeoutMs: 5000,
    });
    await client.deliver([deliveryOf('upsert', person, { email: person.email })]);
    const before = peer.requests.length;
    expect(await client.deliver([deliveryOf('delete', person)])).toEqual([{ ok: true }]);
    expect(peer.requests.slice(before)).toMatchObject([
      { method: 'POST', path: '/crm/v3/objects/contacts/gdpr-delete', body: { objectId: person.email, idProperty: 'email' } },
    ]);
    expect(peer.contact(person.email)).toBeUndefined();
    expect(peer.blocklist.has(person.email)).toBe(false);
  });

  it('sends one batch upsert keyed by email, with bearer auth, string values and trace ids', async () => {
    const [a, b] = [newPerson(), newPerson()];
    const deliveries = [
      deliveryOf('upsert', a, { email: a.email, firstname: 'A', lastname: null }),
      deliveryOf('unsubscribe', b, { email: b.email, firstname: 'B' }),
    ];
    const before = peer.requests.length;
    expect(await clientFor(subject, peer).deliver(deliveries)).toEqual([{ ok: true }, { ok: true }]);
    const sent = peer.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe('/crm/v3/objects/contacts/batch/upsert');
    expect(sent[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent[0]!.body).toEqual({
      inputs: [
        { id: a.email, idProperty: 'email', objectWriteTraceId: deliveries[0]!.idempotencyKey, properties: { email: a.email, firstname: 'A', lastname: '' } },
        { id: b.email, idProperty: 'email', objectWriteTraceId: deliveries[1]!.idempotencyKey, properties: { email: b.email, firstname: 'B', kith_marketing_opt_out: 'true' } },
      ],
    });
  });

  it('maps a 207 answer to per-delivery outcomes in one request', async () => {
    const [a, bad] = [newPerson(), newPerson()];
    const before = peer.requests.length;
    const outcomes = await clientFor(subject, peer).deliver([
      deliveryOf('upsert', a, { email: a.email }),
      deliveryOf('upsert', bad, { email: bad.email, shoe_size: 9 }),
    ]);
    expect(peer.requests.length - before).toBe(1);
    expect(outcomes).toEqual([{ ok: true }, { ok: false, retryable: false, error: 'REJECTED: VALIDATION_ERROR: Property "shoe_size" does not exist' }]);
  });

  it('when HubSpot refuses a whole batch with 400, sends each record alone so the valid ones land', async () => {
    const [a, b] = [newPerson(), newPerson()];
    peer.fail({ status: 400, message: 'Invalid input JSON' });
    const before = peer.requests.length;
    const outcomes = await clientFor(subject, peer).deliver([
      deliveryOf('upsert', a, { email: a.email, firstname: 'A' }),
      deliveryOf('upsert', b, { email: b.email, firstname: 'B' }),
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    expect(peer.requests.length - before).toBe(3);
    expect(peer.contact(b.email)?.firstname).toBe('B');
  });

  it('deletes by looking the id up by email, then archiving it', async () => {
    const person = newPerson();
    const client = clientFor(subject, peer);
    await client.deliver([deliveryOf('upsert', person, { email: person.email })]);
    const before = peer.requests.length;
    expect(await client.deliver([deliveryOf('delete', person)])).toEqual([{ ok: true }]);
    const [read, archive] = peer.requests.slice(before);
    expect(read).toMatchObject({ path: '/crm/v3/objects/contacts/batch/read', body: { idProperty: 'email', inputs: [{ id: person.email }] } });
    expect(archive).toMatchObject({ path: '/crm/v3/objects/contacts/batch/archive', body: { inputs: [{ id: expect.stringMatching(/^\d+$/) }] } });
  });

  it("waits for HubSpot's rate-limit window when a 429 has no Retry-After", async () => {
    peer.fail({ status: 429 });
    const [outcome] = await clientFor(subject, peer).deliver([deliveryOf('upsert', newPerson(), {})]);
    expect(outcome).toMatchObject({ ok: false, retryable: true, retryAfterSeconds: 10 });
  });

  it('a 403 (missing scope) is not retryable', async () => {
    peer.fail({ status: 403, message: 'This app hasn\'t been granted all required scopes' });
    const [outcome] = await clientFor(subject, peer).deliver([deliveryOf('upsert', newPerson(), {})]);
    expect(outcome).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^FORBIDDEN: .*required scopes/) });
  });
});
