import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubspotPeer } from '../support/peers/hubspot.js';
import { startMixpanelPeer } from '../support/peers/mixpanel.js';
import type { Peer } from '../support/peers/peer-server.js';
import { startSalesforcePeer } from '../support/peers/salesforce.js';
import { PREFIX, startScimPeer } from '../support/peers/scim-server.js';

/** The peers are only worth testing against if they refuse what the vendors refuse: these requests are malformed. */
const TOKEN = 'peer-token';
const peers: Peer[] = [];
let hubspot: Peer, salesforce: Peer, mixpanel: Peer, scim: Peer;

beforeAll(async () => {
  [hubspot, salesforce, mixpanel, scim] = await Promise.all([
    startHubspotPeer({ token: TOKEN }),
    startSalesforcePeer({ token: TOKEN, object: 'Contact', externalIdField: 'Kith_Id__c' }),
    startMixpanelPeer({ token: TOKEN }),
    startScimPeer({ token: TOKEN }),
  ]);
  peers.push(hubspot, salesforce, mixpanel, scim);
});
afterAll(() => Promise.all(peers.map((p) => p.close())));

async function send(url: string, method: string, body: unknown, contentType = 'application/json', token = TOKEN) {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('the HubSpot peer', () => {
  const upsert = () => `${hubspot.url}/crm/v3/objects/contacts/batch/upsert`;
  it('refuses more than 100 inputs, duplicate ids, a missing idProperty, a form body', async () => {
    const input = (i: number) => ({ id: `u${i}@example.com`, idProperty: 'email', properties: {} });
    expect((await send(upsert(), 'POST', { inputs: Array.from({ length: 101 }, (_, i) => input(i)) })).status).toBe(400);
    expect((await send(upsert(), 'POST', { inputs: [input(1), input(1)] })).body).toMatchObject({ category: 'VALIDATION_ERROR', message: 'Duplicate IDs found in batch input' });
    expect((await send(upsert(), 'POST', { inputs: [{ id: 'a@example.com', properties: {} }] })).status).toBe(400);
    expect((await send(upsert(), 'POST', 'inputs=1', 'application/x-www-form-urlencoded')).status).toBe(415);
  });
});

describe('the Salesforce peer', () => {
  const path = (id: string) => `${salesforce.url}/services/data/v60.0/sobjects/Contact/Kith_Id__c/${id}`;
  it('refuses unknown fields, the external id in the body, a create without LastName, malformed JSON', async () => {
    expect((await send(path('1'), 'PATCH', { LastName: 'L', Shoe__c: 1 })).body).toEqual([{ errorCode: 'INVALID_FIELD', message: "No such column 'Shoe__c' on sobject of type Contact" }]);
    expect((await send(path('1'), 'PATCH', { LastName: 'L', Kith_Id__c: '1' })).status).toBe(400);
    expect((await send(path('1'), 'PATCH', { FirstName: 'F' })).body).toMatchObject([{ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }]);
    expect((await send(path('1'), 'PATCH', '{not json')).body).toMatchObject([{ errorCode: 'JSON_PARSER_ERROR' }]);
    expect((await send(`${salesforce.url}/services/data/v60.0/sobjects/Contact/Email/x`, 'PATCH', { LastName: 'L' })).status).toBe(404);
    const collection = `${salesforce.url}/services/data/v60.0/composite/sobjects/Contact/Kith_Id__c`;
    expect((await send(collection, 'PATCH', { records: [{ LastName: 'L', Kith_Id__c: '2' }] })).body).toMatchObject([{ errorCode: 'INVALID_TYPE' }]);
    expect((await send(collection, 'PATCH', { records: [] })).status).toBe(400);
    expect((await send(collection, 'PATCH', { records: [{ attributes: { type: 'Contact' }, LastName: 'L' }] })).body).toMatchObject([
      { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT' }] },
    ]);
  });
});

describe('the Mixpanel peer', () => {
  const engage = () => `${mixpanel.url}/engage?verbose=1`;
  it('refuses (200, status 0) a non-array, two operations in one update, a missing distinct id; 401 for a wrong token', async () => {
    expect(await send(engage(), 'POST', { $token: TOKEN })).toEqual({ status: 200, body: { status: 0, error: expect.any(String) } });
    expect((await send(engage(), 'POST', [{ $token: TOKEN, $distinct_id: 'd', $set: {}, $unset: [] }])).body).toMatchObject({ status: 0 });
    expect((await send(engage(), 'POST', [{ $token: TOKEN, $set: {} }])).body).toEqual({ status: 0, error: '$distinct_id, missing or empty' });
    expect((await send(engage(), 'POST', [{ $token: 'other', $distinct_id: 'd', $set: {} }])).status).toBe(401);
    expect(await send(`${mixpanel.url}/engage`, 'POST', [{ $token: TOKEN, $distinct_id: 'd', $set: { a: 1 } }])).toEqual({ status: 200, body: 1 });
  });
});

describe('the SCIM peer', () => {
  const users = () => `${scim.url}${PREFIX}/Users`;
  it('answers RFC 7644 errors: invalidFilter, invalidSyntax, uniqueness, 401', async () => {
    const filtered = await fetch(`${users()}?filter=${encodeURIComponent('userName eq')}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await filtered.json()).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'Bjensen@example.com' };
    expect((await send(users(), 'POST', { userName: 'x' }, 'application/scim+json')).body).toMatchObject({ scimType: 'invalidSyntax' });
    const created = await send(users(), 'POST', user, 'application/scim+json');
    expect(created).toMatchObject({ status: 201, body: { meta: { resourceType: 'User', version: 'W/"1"' } } });
    expect((await send(users(), 'POST', { ...user, userName: 'bjensen@EXAMPLE.com' }, 'application/scim+json')).body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const id = (created.body as { id: string }).id;
    expect((await send(`${users()}/${id}`, 'PATCH', { Operations: [] }, 'application/scim+json')).body).toMatchObject({ scimType: 'invalidSyntax' });
    expect((await send(users(), 'POST', user, 'application/scim+json', 'wrong')).body).toMatchObject({ status: '401' });
  });
});
