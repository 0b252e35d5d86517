import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erasureNotices } from '../../src/store/tables/index.js';
import { startClockedKith, uniqueEmail } from '../support/kith.js';
import { type HubspotPeer, startHubspotPeer } from '../support/peers/hubspot.js';
import { createWebhook, definePurpose, DELIVERY_ENV, isolatedKithWithSink, rename, until } from './support.js';

const PASSWORD = 'a passphrase for signing in';

describe('an account deletion, through a purpose-bound webhook', () => {
  const world = isolatedKithWithSink();
  let purpose = '';

  /** A registered, consenting customer, signed in: their id and a fresh token (enough for the deletion). */
  async function consenting() {
    const { k, sink } = world;
    if (!purpose) {
      purpose = await definePurpose(k);
      await createWebhook(k, sink, { purpose });
    }
    const email = uniqueEmail('gone');
    const { register } = await k.ok(`mutation($i: RegisterInput!) { register(input: $i) { customer { id } } }`, { i: { email, password: PASSWORD, consents: [purpose] } });
    const { signIn } = await k.ok(`mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }`, { i: { email, password: PASSWORD } });
    return { id: register.customer.id as string, token: signIn.accessToken as string };
  }

  const run = () => world.k.kith.delivery.runOnce();

  it('arrives as one delete without personal data: the consent withdrawals it implies send no unsubscribe', async () => {
    const { k, sink } = world;
    const { id, token } = await consenting();
    // Registration sends its upserts (created, registered, consent granted) before the deletion.
    await until(run, () => sink.acked(id).length === 3);
    await k.ok(`mutation { deleteMyAccount }`, {}, { token });
    await until(run, () => sink.acked(id).length === 4);
    await run();
    expect(sink.received.filter((r) => r.customerId === id).map((r) => r.type)).toEqual(['upsert', 'upsert', 'upsert', 'delete']);
    expect(sink.acked(id)[3]!.fields).toEqual({});
  });

  it('leaves changes still queued at the deletion unsent: only the delete goes', async () => {
    const { k, sink } = world;
    const { id, token } = await consenting();
    await rename(k, id, 'Renamed');
    await k.ok(`mutation { deleteMyAccount }`, {}, { token });
    await until(run, () => sink.acked(id).length === 1);
    await run();
    expect(sink.received.filter((r) => r.customerId === id).map((r) => r.type)).toEqual(['delete']);
    const { connectors } = await k.ok(`{ connectors { health { backlog deadLetters } } }`, {}, { as: 'admin' });
    expect(connectors[0].health).toEqual({ backlog: 0, deadLetters: 0 });
  });
});

type ClockedKith = Awaited<ReturnType<typeof startClockedKith>>;

/** Registers and signs in a customer: their email, id and a fresh token (enough for the deletion). */
async function registered(k: ClockedKith) {
  const email = uniqueEmail('erased');
  const { register } = await k.ok(`mutation($i: RegisterInput!) { register(input: $i) { customer { id } } }`, { i: { email, password: PASSWORD } });
  const { signIn } = await k.ok(`mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }`, { i: { email, password: PASSWORD } });
  return { email, id: register.customer.id as string, token: signIn.accessToken as string };
}

const noticeOf = async (k: ClockedKith, customerId: string) =>
  (await k.database.db.select({ email: erasureNotices.email }).from(erasureNotices).where(eq(erasureNotices.customerId, customerId)))[0]?.email ?? null;

describe('an account deletion, through HubSpot (which finds contacts by email)', () => {
  const TOKEN = 'pat-na1-erasure-test';
  let k: ClockedKith;
  let peer: HubspotPeer;
  let connectorId = '';
  beforeAll(async () => {
    [k, peer] = await Promise.all([startClockedKith(DELIVERY_ENV, { ownDatabase: true }), startHubspotPeer({ token: TOKEN })]);
    const { createConnector } = await k.ok(
      `mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }`,
      { i: { kind: 'HUBSPOT', name: 'CRM', settings: { baseUrl: peer.url, deleteMode: 'gdpr' }, secrets: { accessToken: TOKEN } } },
      { as: 'admin' },
    );
    connectorId = createConnector.id;
  });
  afterAll(async () => {
    await k?.close();
    await peer?.close();
  });
  const run = () => k.kith.delivery.runOnce();
  const setEnabled = (enabled: boolean) =>
    k.ok(`mutation($id: ID!, $e: Boolean!) { setConnectorEnabled(id: $id, enabled: $e) { id } }`, { id: connectorId, e: enabled }, { as: 'admin' });

  it('is a GDPR delete by the erased email, kept apart for it and forgotten once sent', async () => {
    const { email, id, token } = await registered(k);
    await until(run, () => peer.contact(email) !== undefined);
    await k.ok(`mutation { deleteMyAccount }`, {}, { token });
    expect(await noticeOf(k, id)).toBe(email);
    await until(run, () => peer.contact(email) === undefined);
    expect(peer.requests.filter((r) => r.path.endsWith('/gdpr-delete')).map((r) => r.body)).toContainEqual({ objectId: email, idProperty: 'email' });
    await run();
    expect(await noticeOf(k, id)).toBeNull();
  });

  it('keeps the email while a disabled connector still has the deletion ahead of it', async () => {
    const { email, id, token } = await registered(k);
    await until(run, () => peer.contact(email) !== undefined);
    await setEnabled(false);
    try {
      await k.ok(`mutation { deleteMyAccount }`, {}, { token });
      for (let i = 0; i < 3; i += 1) await run();
      expect(await noticeOf(k, id)).toBe(email);
    } finally {
      await setEnabled(true);
    }
    await until(run, () => peer.contact(email) === undefined);
    await run();
    expect(await noticeOf(k, id)).toBeNull();
  });
});

describe('an account deletion whose address is taken again before its delete goes out', () => {
  const TOKEN = 'pat-na1-erasure-reuse';
  let k: ClockedKith;
  let peer: HubspotPeer;
  beforeAll(async () => {
    [k, peer] = await Promise.all([startClockedKith(DELIVERY_ENV, { ownDatabase: true }), startHubspotPeer({ token: TOKEN })]);
  });
  afterAll(async () => {
    await k?.close();
    await peer?.close();
  });
  const run = () => k.kith.delivery.runOnce();

  it("never deletes the new owner's contact: the old delete goes without the address", async () => {
    const { createConnector } = await k.ok(
      `mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }`,
      { i: { kind: 'HUBSPOT', name: 'CRM', settings: { baseUrl: peer.url, deleteMode: 'gdpr' }, secrets: { accessToken: TOKEN } } },
      { as: 'admin' },
    );
    const setEnabled = (enabled: boolean) =>
      k.ok(`mutation($id: ID!, $e: Boolean!) { setConnectorEnabled(id: $id, enabled: $e) { id } }`, { id: createConnector.id, e: enabled }, { as: 'admin' });
    const { email, id, token } = await registered(k);
    await until(run, () => peer.contact(email) !== undefined);
    await setEnabled(false);
    await k.ok(`mutation { deleteMyAccount }`, {}, { token });
    // Someone registers with the freed address while the deletion still waits for the connector.
    const { register } = await k.ok(`mutation($i: RegisterInput!) { register(input: $i) { customer { id } } }`, { i: { email, password: PASSWORD } });
    expect(register.customer.id).not.toBe(id);
    await setEnabled(true);
    for (let i = 0; i < 3; i += 1) await run();
    expect(peer.requests.filter((r) => r.path.endsWith('/gdpr-delete')).map((r) => r.body)).not.toContainEqual({ objectId: email, idProperty: 'email' });
    expect(peer.contact(email)).toBeDefined();
  });
});

describe('an account deletion without connectors', () => {
  let k: ClockedKith;
  beforeAll(async () => {
    k = await startClockedKith(DELIVERY_ENV, { ownDatabase: true });
  });
  afterAll(() => k?.close());

  it('keeps nothing of the email: no connector could need it', async () => {
    const { id, token } = await registered(k);
    await k.ok(`mutation { deleteMyAccount }`, {}, { token });
    expect(await noticeOf(k, id)).toBeNull();
  });
});
