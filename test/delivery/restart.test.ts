import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { deliveries } from '../../src/store/tables/index.js';
import { startClockedKith } from '../support/kith.js';
import { startSink } from './sink.js';
import { capture, createWebhook, definePurpose, DELIVERY_ENV, disable, expectInOrderOnce, SIGNING_SECRET, until } from './support.js';

// Requests may hang for 5 s, so a process is stopped while one is in flight. Claims last 2 minutes: each test
// clock stands at its server's start, and the second server starts seconds after the first one's clock.
const LEASE_MS = 120_000;
const ENV = { ...DELIVERY_ENV, KITH_DELIVERY_TIMEOUT_MS: '5000', KITH_DELIVERY_LEASE_MS: String(LEASE_MS) };

describe('a Kith stopped mid-delivery', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('leaves its claims to expire, and the next Kith on the database delivers everything', async () => {
    // A database of its own for both servers: the second one's clock moves past the lease, and its passes
    // would take over the claims of any other test's connector on a shared database.
    const database = await openDatabase({ dataDir: 'memory://' });
    await database.migrate();
    closers.push(() => database.close());
    const first = await startClockedKith(ENV, { database });
    closers.push(() => first.close());
    const sink = await startSink(SIGNING_SECRET);
    closers.push(() => sink.close());
    const purpose = await definePurpose(first);
    const connector = await createWebhook(first, sink, { purpose });
    const customer = await capture(first, [purpose], 'Interrupted');

    sink.script('hang');
    const pass = first.kith.delivery.runOnce();
    await until(async () => undefined, () => sink.received.some((r) => r.customerId === customer), { tries: 500 });
    await first.kith.close();
    await pass;

    // The claim is still held: pending, leased, and no attempt counted.
    const rows = await first.database.db
      .select({ status: deliveries.status, attempts: deliveries.attempts, lockedUntil: deliveries.lockedUntil })
      .from(deliveries)
      .where(and(eq(deliveries.connectorId, connector.id), eq(deliveries.customerId, customer)));
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 0)).toBe(true);
    expect(rows.filter((r) => r.lockedUntil !== null)).toHaveLength(1);

    const second = await startClockedKith(ENV, { database });
    closers.push(() => second.close());
    closers.push(() => disable(second, connector.id));
    await second.kith.delivery.runOnce();
    expect(sink.acked(customer)).toEqual([]);
    second.advance(LEASE_MS);
    await until(() => second.kith.delivery.runOnce(), () => sink.acked(customer).length === 2);

    const acked = expectInOrderOnce(sink, customer);
    expect(acked.map((r) => r.type)).toEqual(['upsert', 'upsert']);
    // The change in flight when the first process stopped arrived twice: at least once, same idempotency key.
    expect(sink.received.filter((r) => r.key === acked[0]!.key).map((r) => r.answered)).toEqual(['hang', 200]);
  });
});
