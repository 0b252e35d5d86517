import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCircuitBreaker } from '../../src/connectors/circuit-breaker.js';
import { createHubSpotCrmReader } from '../../src/connectors/hubspot/crm-reader.js';
import { createSalesforceCrmReader } from '../../src/connectors/salesforce/crm-reader.js';
import { createCrmService } from '../../src/domain/crm/crm-service.js';
import { DomainError } from '../../src/domain/errors.js';
import { startHubspotPeer, type HubspotPeer } from '../support/peers/hubspot.js';

const TOKEN = 'pat-test-token';

const PROPERTIES = ['email', 'lifecyclestage', 'hubspot_owner_id', 'notes_last_updated', 'num_associated_deals'];
let peer: HubspotPeer;
let baseUrl: string;
beforeAll(async () => {
  peer = await startHubspotPeer({ token: TOKEN, properties: PROPERTIES });
  baseUrl = peer.url;
  const contacts = [
    { email: 'ada@example.com', lifecyclestage: 'customer', hubspot_owner_id: '77', notes_last_updated: '2026-11-20T10:00:00.000Z', num_associated_deals: '2' },
    { email: 'bob@example.com', lifecyclestage: 'lead' },
  ];
  await fetch(`${baseUrl}/crm/v3/objects/contacts/batch/upsert`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: contacts.map((properties) => ({ id: properties.email, idProperty: 'email', properties })) }),
  });
});
afterAll(() => peer?.close());

/** The batch reads the peer received: the emails each asked for. */
const reads = () => peer.requests.filter((r) => r.path === '/crm/v3/objects/contacts/batch/read').map((r) => (r.body as { inputs: { id: string }[] }).inputs.map((i) => i.id));

const reader = (timeoutMs = 1_000, token = TOKEN) =>
  createHubSpotCrmReader({ settings: { baseUrl }, secrets: { accessToken: token }, fetch, now: () => new Date(), timeoutMs });
const clock = { now: () => new Date() };

describe('the HubSpot CRM reader', () => {
  it('reads a batch of contacts by email in one call', async () => {
    const before = reads().length;
    const found = await reader().readByEmail(['Ada@example.com', 'bob@example.com', 'nobody@example.com']);
    expect(reads().length - before).toBe(1);
    expect(found.get('ada@example.com')).toEqual({ lifecycleStage: 'customer', owner: '77', lastActivityAt: new Date('2026-11-20T10:00:00.000Z'), openDeals: 2 });
    expect(found.get('bob@example.com')).toEqual({ lifecycleStage: 'lead', owner: null, lastActivityAt: null, openDeals: null });
    expect(found.has('nobody@example.com')).toBe(false);
  });

  it('throws on a refused token, a failing CRM and a timeout', async () => {
    await expect(reader(1_000, 'wrong').readByEmail(['ada@example.com'])).rejects.toThrow(/401/);
    peer.fail({ status: 502 });
    await expect(reader().readByEmail(['ada@example.com'])).rejects.toThrow(/502/);
    peer.fail({ hang: true });
    await expect(reader(200).readByEmail(['ada@example.com'])).rejects.toThrow(/no answer within 200 ms/);
  });
});

describe('the CRM service', () => {
  it('answers a page with one call, caches it, and says null for customers the CRM does not know', async () => {
    const service = createCrmService({ reader: async () => reader(), clock, cacheSeconds: 30 });
    const before = reads().length;
    const answers = await service.readByEmail(['ada@example.com', 'nobody@example.com']);
    expect(answers[0]).toMatchObject({ lifecycleStage: 'customer' });
    expect(answers[1]).toBeNull();
    await service.readByEmail(['ada@example.com', 'nobody@example.com']);
    expect(reads().length - before).toBe(1);
  });

  it('splits more emails than one batch takes into several calls', async () => {
    const service = createCrmService({ reader: async () => reader(), clock, cacheSeconds: 30 });
    const before = reads().length;
    await service.readByEmail(Array.from({ length: 150 }, (_, i) => `many-${i}@example.com`));
    expect(reads().slice(before).map((inputs) => inputs.length)).toEqual([100, 50]);
  });

  it('answers CRM_UNAVAILABLE for each email when the CRM fails, and null without a CRM', async () => {
    peer.fail({ status: 502 });
    const service = createCrmService({ reader: async () => reader(), clock, cacheSeconds: 30 });
    const answers = await service.readByEmail(['ada@example.com', 'bob@example.com']);
    expect(answers.map((a) => (a instanceof DomainError ? a.code : a))).toEqual(['CRM_UNAVAILABLE', 'CRM_UNAVAILABLE']);
    expect(await createCrmService({ reader: async () => null, clock, cacheSeconds: 30 }).readByEmail(['ada@example.com'])).toEqual([null]);
  });

  it('stops calling a failing CRM once the circuit opens, and tries again after the reset time', async () => {
    // Two failures open the circuit: the four calls after them fail without reaching the CRM (which would
    // answer them, no fault being queued any more).
    peer.fail({ status: 502 }, { status: 502 });
    const guarded = withCircuitBreaker(reader(), { timeoutMs: 500, resetMs: 300, volumeThreshold: 2 });
    const before = peer.requests.length;
    for (let i = 0; i < 6; i += 1) await expect(guarded.readByEmail([`fail-${i}@example.com`])).rejects.toThrow();
    expect(peer.requests.length - before).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await guarded.readByEmail(['ada@example.com'])).get('ada@example.com')).toMatchObject({ lifecycleStage: 'customer' });
  });
});

describe('the Salesforce CRM reader', () => {
  /** Salesforce's query resource, as documented: GET /services/data/vXX.X/query?q=<SOQL> with a bearer token. */
  const leads = [{ Email: "o'neil@example.com", Status: 'Working - Contacted', LastActivityDate: '2026-11-19', Owner: { Name: 'Sam Rep' } }];
  let soql = '';
  const server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://127.0.0.1');
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      return response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]));
    }
    if (url.pathname !== '/services/data/v60.0/query') return response.writeHead(404).end();
    soql = url.searchParams.get('q') ?? '';
    // The IN list's literals, unescaped as SOQL does: \\' is a quote, \\\\ a backslash.
    const inList = /WHERE Email IN \((.*)\)$/.exec(soql)?.[1] ?? '';
    const asked = [...inList.matchAll(/'((?:\\.|[^'\\])*)'/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1').toLowerCase());
    const records = leads.filter((lead) => asked.includes(lead.Email.toLowerCase()));
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ totalSize: records.length, done: true, records }));
  });
  let instanceUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    instanceUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => void server.close());
  const sf = (accessToken = TOKEN) =>
    createSalesforceCrmReader({ settings: { instanceUrl, apiVersion: 'v60.0', object: 'Lead' }, secrets: { accessToken }, fetch, now: () => new Date(), timeoutMs: 1_000 });

  it('reads Leads by email in one SOQL query, quoting each email as a SOQL literal', async () => {
    const found = await sf().readByEmail(["O'Neil@example.com", 'back\\slash@example.com']);
    expect(soql).toBe(`SELECT Email, Status, Owner.Name, LastActivityDate FROM Lead WHERE Email IN ('O\\'Neil@example.com', 'back\\\\slash@example.com')`);
    expect(found.get("o'neil@example.com")).toEqual({ lifecycleStage: 'Working - Contacted', owner: 'Sam Rep', lastActivityAt: new Date('2026-11-19T00:00:00Z'), openDeals: null });
    expect(found.size).toBe(1);
  });

  it('throws when the session is refused', async () => {
    await expect(sf('expired').readByEmail(['a@example.com'])).rejects.toThrow(/401/);
  });
});
