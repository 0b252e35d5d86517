import { randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Database } from '../../src/store/database.js';
import { events } from '../../src/store/tables/index.js';
import { startClockedKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { type Received, type Sink, startSink } from './sink.js';

export const SIGNING_SECRET = 'whsec-test-0123456789abcdef';

/**
 * Delivery settings for tests: the loop off (tests call runOnce), quick retries, short leases. The sink shares
 * this process's event loop with Kith and PGlite, so on a busy machine its 200 can wait behind a stall while
 * the request's timer fires first; the engine then retries a change the sink already acknowledged, and every
 * count of acknowledgements is off by one. The timeout is long enough that only a sink told to hang reaches it.
 */
export const DELIVERY_ENV = {
  KITH_DELIVERY_WORKER: 'off',
  KITH_DELIVERY_BACKOFF_BASE_MS: '1',
  KITH_DELIVERY_BACKOFF_CAP_MS: '5',
  KITH_DELIVERY_TIMEOUT_MS: '2000',
  KITH_DELIVERY_LEASE_MS: '8000',
};

export const CONNECTOR_FIELDS = `id kind name enabled secretsSet maxAttempts settings fieldMapping { from to } purpose { key }
  health { lastSuccessAt lastError lastErrorAt backlog deadLetters }`;

export async function definePurpose(k: Pick<TestKith, 'ok'>): Promise<string> {
  const key = `p_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await k.ok(`mutation($i: DefinePurposeInput!) { definePurpose(input: $i) { key } }`, { i: { key, title: 'Test purpose', description: 'For delivery tests.' } }, { as: 'admin' });
  return key;
}

export async function createWebhook(k: Pick<TestKith, 'ok'>, sink: Sink, input: Record<string, unknown> = {}): Promise<{ id: string }> {
  const { createConnector } = await k.ok(
    `mutation($i: CreateConnectorInput!) { createConnector(input: $i) { ${CONNECTOR_FIELDS} } }`,
    {
      i: {
        kind: 'WEBHOOK',
        name: `hook-${randomUUID()}`,
        settings: { url: sink.url },
        secrets: { signingSecret: SIGNING_SECRET },
        fieldMapping: [{ from: 'email', to: 'email' }, { from: 'givenName', to: 'first_name' }, { from: 'attributes.company', to: 'company' }],
        ...input,
      },
    },
    { as: 'admin' },
  );
  return createConnector;
}

export async function disable(k: Pick<TestKith, 'ok'>, id: string): Promise<void> {
  await k.ok(`mutation($id: ID!) { setConnectorEnabled(id: $id, enabled: false) { id } }`, { id }, { as: 'admin' });
}

export async function capture(k: Pick<TestKith, 'ok'>, consents: string[], givenName = 'Ada'): Promise<string> {
  const { capture } = await k.ok(`mutation($i: CaptureInput!) { capture(input: $i) { customer { id } } }`, {
    i: { email: uniqueEmail(), consents, attributes: [{ name: 'givenName', value: givenName }] },
  });
  return capture.customer.id;
}

export async function rename(k: Pick<TestKith, 'ok'>, customerId: string, givenName: string): Promise<void> {
  await k.ok(`mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { customer { id } } }`, { i: { customerId, attributes: [{ name: 'givenName', value: givenName }] } }, { as: 'admin' });
}

export async function withdraw(k: Pick<TestKith, 'ok'>, customerId: string, purpose: string): Promise<void> {
  await k.ok(`mutation($i: ConsentChangeInput!) { withdrawConsent(input: $i) { consent { status } } }`, { i: { customerId, purpose } }, { as: 'admin' });
}

/** Runs passes (moving a test clock when given) until `done` holds; other tests' open transactions can hold back the log's horizon for a moment. */
export async function until(run: () => Promise<unknown>, done: () => boolean, options: { advance?: () => void; tries?: number } = {}): Promise<void> {
  for (let i = 0; i < (options.tries ?? 200) && !done(); i += 1) {
    await run();
    if (done()) return;
    options.advance?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(done(), `not done after ${options.tries ?? 200} passes: ${new Error().stack?.split("\n")[2]}`).toBe(true);
}

/** The customer's event ids in log order, read from the database. */
export async function eventIds(database: Database, customerIds: string[]): Promise<Map<string, number[]>> {
  const rows = await database.db
    .select({ id: events.id, customerId: events.customerId })
    .from(events)
    .where(inArray(events.customerId, customerIds))
    .orderBy(asc(events.txId), asc(events.id));
  const byCustomer = new Map<string, number[]>(customerIds.map((id) => [id, []]));
  for (const row of rows) byCustomer.get(row.customerId!)!.push(Number(row.id));
  return byCustomer;
}

export const eventIdOf = (received: Received) => Number(received.key.split(':')[1]);

/** Every acknowledged delivery of the customer, in arrival order, with distinct keys in event order. */
export function expectInOrderOnce(sink: Sink, customerId: string): Received[] {
  const acked = sink.acked(customerId);
  const ids = acked.map(eventIdOf);
  expect(new Set(acked.map((r) => r.key)).size).toBe(acked.length);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(acked.every((r) => r.verified)).toBe(true);
  return acked;
}

export { eq };

/**
 * A Kith on a database of its own (its connectors see only this test's changes) and a webhook sink, both
 * started before and closed after the calling file's tests.
 */
export function isolatedKithWithSink(): { readonly k: Awaited<ReturnType<typeof startClockedKith>>; readonly sink: Sink } {
  const made = {} as { k: Awaited<ReturnType<typeof startClockedKith>>; sink: Sink };
  beforeAll(async () => {
    made.k = await startClockedKith(DELIVERY_ENV, { ownDatabase: true });
    made.sink = await startSink(SIGNING_SECRET);
  });
  afterAll(async () => {
    await made.k?.close();
    await made.sink?.close();
  });
  return made;
}
