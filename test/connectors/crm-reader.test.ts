import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCircuitBreaker } from '../../src/connectors/circuit-breaker.js';
import { createHubSpotCrmReader } from '../../src/connectors/hubspot/crm-reader.js';
import { createSalesforceCrmReader } from '../../src/connectors/salesforce/crm-reader.js';
import { createCrmService } from '../../src/domain/crm/crm-service.js';
import { DomainError } from '../../src/domain/errors.js';

const TOKEN = 'pat-test-token';

/**
 * HubSpot's contacts batch read, as documented: POST /crm/v3/objects/contacts/batch/read with a bearer
 * token, `idProperty: "email"` and up to 100 inputs; 200 with `results`, 207 when some inputs are unknown.
 */
function hubSpotPeer() {
  const contacts = new Map<string, Record<string, string>>();
  const calls: { inputs: string[]; properties: string[] }[] = [];
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const read = async (request: IncomingMessage) => {
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    return JSON.parse(raw) as { idProperty: string; properties: string[]; inputs: { id: string }[] };
  };
  const server: Server = createServer(async (request, response) => {
    const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method !== 'POST' || request.url !== '/crm/v3/objects/contacts/batch/read') return send(404, { status: 'error', message: 'Not found' });
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { status: 'error', category: 'INVALID_AUTHENTICATION' });
    const body = await read(request);
    if (body.idProperty !== 'email' || !Array.isArray(body.inputs) || body.inputs.length > 100) {
      return send(400, { status: 'error', category: 'VALIDATION_ERROR' });
    }
    calls.push({ inputs: body.inputs.map((i) => i.id), properties: body.properties });
    if (mode === 'hang') return; // never answers: the caller's timeout must end it
    if (mode === 'fail') return send(502, { status: 'error', message: 'Bad gateway' });
    const results = body.inputs.flatMap(({ id }) => {
      const found = contacts.get(id.toLowerCase());
      return found ? [{ id: `hs-${id}`, properties: Object.fromEntries(body.properties.map((p) => [p, found[p] ?? null])) }] : [];
    });
    const missing = body.inputs.filter(({ id }) => !contacts.has(id.toLowerCase()));
    send(missing.length ? 207 : 200, { status: 'COMPLETE', results, ...(missing.length ? { numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: missing.map((m) => m.id) } }] } : {}) });
  });
  return {
    server,
    contacts,
    calls,
    setMode: (next: typeof mode) => void (mode = next),
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`))),
  };
}

let peer: ReturnType<typeof hubSpotPeer>;
let baseUrl: string;
beforeAll(async () => {
  peer = hubSpotPeer();
  baseUrl = await peer.start();
  peer.contacts.set('ada@example.com', { email: 'ada@example.com', lifecyclestage: 'customer', hubspot_owner_id: '77', notes_last_updated: '2026-11-20T10:00:00.000Z', num_associated_deals: '2' });
  peer.contacts.set('bob@example.com', { email: 'bob@example.com', lifecyclestage: 'lead' });
});
afterAll(() => {
  peer.server.closeAllConnections();
  peer.server.close();
});

const reader = (timeoutMs = 1_000, token = TOKEN) =>
  createHubSpotCrmReader({ settings: { baseUrl }, secrets: { accessToken: token }, fetch, now: () => new Date(), timeoutMs });
const clock = { now: () => new Date() };

describe('the HubSpot CRM reader', () => {
  it('reads a batch of contacts by email in one call', async () => {
    const before = peer.calls.length;
    const found = await reader().readByEmail(['Ada@example.com', 'bob@example.com', 'nobody@example.com']);
    expect(peer.calls.length - before).toBe(1);
    expect(peer.calls.at(-1)!.properties).toEqual(expect.arrayContaining(['email', 'lifecyclestage', 'hubspot_owner_id']));
    expect(found.get('ada@example.com')).toEqual({ lifecycleStage: 'customer', owner: '77', lastActivityAt: new Date('2026-11-20T10:00:00.000Z'), openDeals: 2 });
    expect(found.get('bob@example.com')).toEqual({ lifecycleStage: 'lead', owner: null, lastActivityAt: null, openDeals: null });
    expect(found.has('nobody@example.com')).toBe(false);
  });

  it('throws on a refused token, a failing CRM and a timeout', async () => {
    await expect(reader(1_000, 'wrong').readByEmail(['ada@example.com'])).rejects.toThrow(/401/);
    peer.setMode('fail');
    await expect(reader().readByEmail(['ada@example.com'])).rejects.toThrow(/502/);
    peer.setMode('hang');
    await expect(reader(200).readByEmail(['ada@example.com'])).rejects.toThrow();
    peer.setMode('ok');
  });
});

describe('the CRM service', () => {
  it('answers a page with one call, caches it, and says null for customers the CRM does not know', async () => {
    const service = createCrmService({ reader: async () => reader(), clock, cacheSeconds: 30 });
    const before = peer.calls.length;
    const answers = await service.readByEmail(['ada@example.com', 'nobody@example.com']);
    expect(answers[0]).toMatchObject({ lifecycleStage: 'customer' });
    expect(answers[1]).toBeNull();
    await service.readByEmail(['ada@example.com', 'nobody@example.com']);
    expect(peer.calls.length - before).toBe(1);
  });

  it('splits more emails than one batch takes into several calls', async () => {
    const service = createCrmService({ reader: async () => reader(), clock, cacheSeconds: 30 });
    const before = peer.calls.length;
    await service.readByEmail(Array.from({ length: 150 }, (_, i) => `many-${i}@example.com`));
    expect(peer.calls.slice(before).map((c) => c.inputs.length)).toEqual([100, 50]);
  });

  it('answers CRM_UNAVAILABLE for each email when the CRM fails, and null without a CRM', async () => {
    peer.setMode('fail');
    const service = createCrmService({ reader: async () => reader(), clock, cacheSeconds: 30 });
    const answers = await service.readByEmail(['ada@example.com', 'bob@example.com']);
    expect(answers.map((a) => (a instanceof DomainError ? a.code : a))).toEqual(['CRM_UNAVAILABLE', 'CRM_UNAVAILABLE']);
    peer.setMode('ok');
    expect(await createCrmService({ reader: async () => null, clock, cacheSeconds: 30 }).readByEmail(['ada@example.com'])).toEqual([null]);
  });

  it('stops calling a failing CRM once the circuit opens, and tries again after the reset time', async () => {
    peer.setMode('fail');
    const guarded = withCircuitBreaker(reader(), { timeoutMs: 500, resetMs: 300, volumeThreshold: 2 });
    const before = peer.calls.length;
    for (let i = 0; i < 6; i += 1) await expect(guarded.readByEmail([`fail-${i}@example.com`])).rejects.toThrow();
    const reached = peer.calls.length - before;
    expect(reached).toBeLessThan(6);
    peer.setMode('ok');
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
