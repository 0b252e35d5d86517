import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesforceKind } from '../../src/connectors/salesforce/index.js';
import { startSalesforcePeer, type SalesforcePeer } from '../support/peers/salesforce.js';
import { clientFor, connectorContract, deliveryOf, newPerson, type ContractSubject } from './contract.js';

const TOKEN = '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAvrjlHg';
const peerOptions = { token: TOKEN, object: 'Lead', externalIdField: 'Kith_Id__c' } as const;

const subject: ContractSubject<SalesforcePeer> = {
  kind: salesforceKind,
  startPeer: () => startSalesforcePeer(peerOptions),
  settings: (url) => ({ instanceUrl: url, apiVersion: 'v60.0', object: 'Lead', externalIdField: 'Kith_Id__c' }),
  secrets: { accessToken: TOKEN },
  wrongSecrets: { accessToken: 'expired' },
  fields: (person, givenName) => ({ Email: person.email, FirstName: givenName, LastName: 'Lovelace', Company: 'Analytical Engines' }),
  rejectedFields: (person) => ({ Email: person.email, LastName: 'X', Company: 'Y', Shoe_Size__c: 9 }),
  view: (peer, person) => {
    const record = peer.record(person.customerId);
    return record && { givenName: record.FirstName as string | undefined, optedOut: record.HasOptedOutOfEmail === true };
  },
  badConfig: [
    { settings: { apiVersion: 'v60.0', object: 'Lead', externalIdField: 'Kith_Id__c' }, field: 'settings.instanceUrl' },
    { settings: { instanceUrl: 'https://acme.my.salesforce.com', object: 'Account', externalIdField: 'Kith_Id__c' }, field: 'settings.object' },
    { settings: { instanceUrl: 'https://acme.my.salesforce.com', object: 'Lead', externalIdField: 'Kith Id' }, field: 'settings.externalIdField' },
    { settings: { instanceUrl: 'https://acme.my.salesforce.com', object: 'Lead' }, field: 'settings.externalIdField' },
    { settings: { instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '60', object: 'Lead', externalIdField: 'K__c' }, field: 'settings.apiVersion' },
    { settings: { instanceUrl: 'https://acme.my.salesforce.com', apiVersion: 'v45.0', object: 'Lead', externalIdField: 'K__c' }, field: 'settings.apiVersion' },
    { secrets: { accessToken: '' }, field: 'secrets.accessToken' },
  ],
};

connectorContract(subject);

describe('Salesforce specifics', () => {
  let peer: SalesforcePeer;
  beforeAll(async () => {
    peer = await startSalesforcePeer(peerOptions);
  });
  afterAll(() => peer.close());

  it('PATCHes the external ID path with the mapped fields, bearer auth and the idempotency key', async () => {
    const person = newPerson();
    const delivery = deliveryOf('unsubscribe', person, { FirstName: 'Ada', LastName: 'L', Company: 'C', Kith_Id__c: 'ignored' });
    const before = peer.requests.length;
    expect(await clientFor(subject, peer).deliver([delivery])).toEqual([{ ok: true }]);
    const [sent] = peer.requests.slice(before);
    expect(sent).toMatchObject({
      method: 'PATCH',
      path: `/services/data/v60.0/sobjects/Lead/Kith_Id__c/${person.customerId}`,
      body: { FirstName: 'Ada', LastName: 'L', Company: 'C', HasOptedOutOfEmail: true },
      headers: { authorization: `Bearer ${TOKEN}`, 'idempotency-key': delivery.idempotencyKey },
    });
    expect(peer.record(person.customerId)?.Kith_Id__c).toBe(person.customerId);
  });

  it('upserts several customers in one sObject Collections request, with one outcome per record', async () => {
    const [a, b, c] = [newPerson(), newPerson(), newPerson()];
    const deliveries = [
      deliveryOf('upsert', a, { FirstName: 'A', LastName: 'L', Company: 'C' }),
      deliveryOf('upsert', b, { FirstName: 'No last name' }),
      deliveryOf('unsubscribe', c, { LastName: 'L', Company: 'C' }),
    ];
    const before = peer.requests.length;
    const outcomes = await clientFor(subject, peer).deliver(deliveries);
    const sent = peer.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: 'PATCH',
      path: '/services/data/v60.0/composite/sobjects/Lead/Kith_Id__c',
      body: {
        allOrNone: false,
        records: [
          { attributes: { type: 'Lead' }, FirstName: 'A', LastName: 'L', Company: 'C', Kith_Id__c: a.customerId },
          { attributes: { type: 'Lead' }, FirstName: 'No last name', Kith_Id__c: b.customerId },
          { attributes: { type: 'Lead' }, LastName: 'L', Company: 'C', HasOptedOutOfEmail: true, Kith_Id__c: c.customerId },
        ],
      },
    });
    expect(outcomes).toEqual([
      { ok: true },
      { ok: false, retryable: false, error: 'REJECTED: REQUIRED_FIELD_MISSING: Required fields are missing: [LastName, Company]' },
      { ok: true },
    ]);
    expect(peer.record(c.customerId)?.HasOptedOutOfEmail).toBe(true);
  });

  it('deletes with DELETE on the external ID path, carrying the idempotency key', async () => {
    const person = newPerson();
    const client = clientFor(subject, peer);
    await client.deliver([deliveryOf('upsert', person, { LastName: 'L', Company: 'C' })]);
    const del = deliveryOf('delete', person);
    const before = peer.requests.length;
    expect(await client.deliver([del])).toEqual([{ ok: true }]);
    expect(peer.requests.slice(before)).toMatchObject([
      { method: 'DELETE', path: `/services/data/v60.0/sobjects/Lead/Kith_Id__c/${person.customerId}`, headers: { 'idempotency-key': del.idempotencyKey } },
    ]);
  });

  it('a create without the required fields is rejected with Salesforce’s code and fields', async () => {
    const [outcome] = await clientFor(subject, peer).deliver([deliveryOf('upsert', newPerson(), { FirstName: 'No last name' })]);
    expect(outcome).toEqual({
      ok: false,
      retryable: false,
      error: 'REJECTED: REQUIRED_FIELD_MISSING: Required fields are missing: [LastName, Company] (HTTP 400)',
    });
  });

  it('REQUEST_LIMIT_EXCEEDED (403) is retryable as RATE_LIMITED; 503 SERVER_UNAVAILABLE is retryable', async () => {
    peer.fail({ status: 403, message: 'TotalRequests Limit exceeded.' }, { status: 503 });
    const client = clientFor(subject, peer);
    const [limited] = await client.deliver([deliveryOf('upsert', newPerson(), {})]);
    expect(limited).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^RATE_LIMITED: REQUEST_LIMIT_EXCEEDED/) });
    const [unavailable] = await client.deliver([deliveryOf('upsert', newPerson(), {})]);
    expect(unavailable).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^UNAVAILABLE: SERVER_UNAVAILABLE/) });
  });

  it('a 401 says INVALID_SESSION_ID', async () => {
    const [outcome] = await clientFor(subject, peer, { accessToken: 'stale' }).deliver([deliveryOf('delete', newPerson())]);
    expect(outcome).toEqual({ ok: false, retryable: false, error: 'UNAUTHORIZED: INVALID_SESSION_ID: Session expired or invalid (HTTP 401)' });
  });

  it('test() fails when the external ID field is not one of the object', async () => {
    const client = salesforceKind.create({
      settings: salesforceKind.parseSettings({ ...(subject.settings(peer.url) as object), externalIdField: 'Email' }),
      secrets: salesforceKind.parseSecrets(subject.secrets),
      fetch: globalThis.fetch,
      now: () => new Date(),
      timeoutMs: 1000,
    });
    expect(await client.test()).toEqual({ ok: false, retryable: false, error: 'REJECTED: Lead.Email is not an external ID field of this org' });
  });
});
