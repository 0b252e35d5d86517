import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubspotPeer, type HubspotPeer } from '../support/peers/hubspot.js';
import { startClockedKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { CAPTURE } from './operations.js';

const TOKEN = 'pat-crm-test-token';
const PROPERTIES = ['email', 'firstname', 'lastname', 'lifecyclestage', 'hubspot_owner_id', 'notes_last_updated', 'num_associated_deals', 'kith_marketing_opt_out'];
const PAGE = `query($tag: AttributeScalar!) { customers(first: 10, filter: { attributes: [{ name: "company", equals: $tag }] }) {
  edges { node { email crm { lifecycleStage owner lastActivityAt openDeals } } } } }`;

let peer: HubspotPeer;
let crmConnector: string;
let k: Awaited<ReturnType<typeof startClockedKith>>;
beforeAll(async () => {
  peer = await startHubspotPeer({ token: TOKEN, properties: PROPERTIES });
  // A database of its own: the CRM is the oldest enabled HubSpot or Salesforce connector of the database.
  // The peer answers on this process's event loop: a timeout much shorter than a stall on a busy machine would
  // turn its answers into CRM_UNAVAILABLE. Only the peer told to hang should reach it.
  k = await startClockedKith({ KITH_CRM_CACHE_SECONDS: '0', KITH_CRM_TIMEOUT_MS: '2000' }, { ownDatabase: true });
  const { createConnector } = await k.ok(
    `mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }`,
    { i: { kind: 'HUBSPOT', name: 'CRM', settings: { baseUrl: peer.url }, secrets: { accessToken: TOKEN } } },
    { as: 'admin' },
  );
  crmConnector = createConnector.id;
});
afterAll(async () => {
  await k?.close();
  await peer?.close();
});

/** Contacts as the sales team keeps them in HubSpot, written through HubSpot's documented batch upsert. */
async function inHubSpot(contacts: Record<string, string>[]) {
  const response = await fetch(`${peer.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: contacts.map((properties) => ({ id: properties.email, idProperty: 'email', properties })) }),
  });
  expect(response.status).toBe(200);
}

/** Customers tagged with a company of their own, so a page holds exactly them. */
async function customers(count: number) {
  const tag = uniqueTag();
  const emails = Array.from({ length: count }, () => uniqueEmail('crm'));
  for (const email of emails) await k.ok(CAPTURE, { input: { email, attributes: [{ name: 'company', value: tag }] } });
  return { tag, emails };
}

const batchReads = () => peer.requests.filter((r) => r.path === '/crm/v3/objects/contacts/batch/read').length;

describe('Customer.crm', () => {
  it('comes from the CRM connector, one CRM call for a whole page', async () => {
    const { tag, emails } = await customers(3);
    const [ada, bob, cyd] = emails;
    await inHubSpot([
      { email: ada!, lifecyclestage: 'customer', hubspot_owner_id: '77', notes_last_updated: '2026-11-20T10:00:00.000Z', num_associated_deals: '2' },
      { email: bob!, lifecyclestage: 'lead' },
    ]);
    const before = batchReads();
    const { customers: page } = await k.ok(PAGE, { tag }, { as: 'agent' });
    expect(batchReads() - before).toBe(1);
    const byEmail = Object.fromEntries(page.edges.map((e: any) => [e.node.email, e.node.crm]));
    expect(byEmail[ada!]).toEqual({ lifecycleStage: 'customer', owner: '77', lastActivityAt: '2026-11-20T10:00:00.000Z', openDeals: 2 });
    expect(byEmail[bob!]).toEqual({ lifecycleStage: 'lead', owner: null, lastActivityAt: null, openDeals: null });
    expect(byEmail[cyd!]).toBeNull();
  });

  it('is null with CRM_UNAVAILABLE when the CRM fails or hangs, and the store\'s fields still come back', async () => {
    const { tag, emails: [ada] } = await customers(1);
    for (const fault of [{ status: 503 }, { hang: true as const }]) {
      peer.fail(fault);
      const result = await k.gql(PAGE, { tag }, { as: 'admin' });
      expect(result.data?.customers.edges).toEqual([{ node: { email: ada, crm: null } }]);
      expect(result.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['CRM_UNAVAILABLE', 'customers.edges.0.node.crm']]);
    }
  });

  it('is not asked of the CRM for a customer who has not granted the CRM connector\'s purpose', async () => {
    const purpose = 'analytics';
    await k.ok(`mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { id } }`, { i: { id: crmConnector, purpose } }, { as: 'admin' });
    k.advance(6_000); // past the CRM source's recheck of the connector
    try {
      const tag = uniqueTag();
      const [yes, no] = [uniqueEmail('crm-yes'), uniqueEmail('crm-no')];
      await k.ok(CAPTURE, { input: { email: yes, consents: [purpose], attributes: [{ name: 'company', value: tag }] } });
      await k.ok(CAPTURE, { input: { email: no, attributes: [{ name: 'company', value: tag }] } });
      await inHubSpot([{ email: yes, lifecyclestage: 'lead' }, { email: no, lifecyclestage: 'lead' }]);
      const before = peer.requests.length;
      const { customers: page } = await k.ok(PAGE, { tag }, { as: 'admin' });
      const asked = peer.requests.slice(before).flatMap((r) => ((r.body as { inputs?: { id: string }[] }).inputs ?? []).map((i) => i.id));
      expect(asked).toEqual([yes]);
      expect(Object.fromEntries(page.edges.map((e: any) => [e.node.email, e.node.crm?.lifecycleStage ?? null]))).toEqual({ [yes]: 'lead', [no]: null });
    } finally {
      await k.ok(`mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { id } }`, { i: { id: crmConnector, clearPurpose: true } }, { as: 'admin' });
      k.advance(6_000);
    }
  });

  it('is for staff: a customer and the public may not read it', async () => {
    const email = uniqueEmail('crm-self');
    await k.ok(`mutation($i: RegisterInput!) { register(input: $i) { created } }`, { i: { email, password: 'a crm test passphrase' } });
    const { signIn } = await k.ok(`mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }`, { i: { email, password: 'a crm test passphrase' } });
    const own = await k.gql(`{ me { email crm { lifecycleStage } } }`, {}, { token: signIn.accessToken });
    expect(own.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(own.data?.me).toEqual({ email, crm: null });
  });
});
