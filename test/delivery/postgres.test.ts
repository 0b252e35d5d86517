import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createKith, type Kith } from '../../src/server/app.js';
import { KEY_ENCRYPTION_KEY, startKith, type TestKith } from '../support/kith.js';
import { startSink, type Sink } from './sink.js';
import { capture, createWebhook, definePurpose, DELIVERY_ENV, disable, eventIds, eventIdOf, expectInOrderOnce, rename, SIGNING_SECRET } from './support.js';

const url = process.env.DATABASE_URL;

describe.runIf(url)('delivery from several Kith processes on one PostgreSQL database', () => {
  let k: TestKith;
  let sink: Sink;
  const instances: Kith[] = [];
  let connectorId: string | undefined;
  beforeAll(async () => {
    k = await startKith(DELIVERY_ENV);
    sink = await startSink(SIGNING_SECRET);
  });
  afterAll(async () => {
    if (connectorId) await disable(k, connectorId);
    for (const instance of instances) await instance.close();
    await sink?.close();
  });

  it('delivers every change exactly once, in order per customer, with both workers running', async () => {
    const purpose = await definePurpose(k);
    const connector = await createWebhook(k, sink, { purpose });
    connectorId = connector.id;
    // Two processes with their own pools and their loops on, polling often so they compete for the same work.
    for (let i = 0; i < 2; i += 1) {
      instances.push(
        await createKith(
          loadConfig({
            DATABASE_URL: url, KITH_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY, NODE_ENV: 'test', KITH_DB_POOL_SIZE: '3',
            KITH_DELIVERY_WORKER: 'on', KITH_DELIVERY_POLL_MS: '10',
          }),
        ),
      );
    }
    const customers: string[] = [];
    for (let i = 0; i < 8; i += 1) customers.push(await capture(k, [purpose], `Twin ${i}`));
    for (const id of customers) {
      await rename(k, id, `${id} once`);
      await rename(k, id, `${id} twice`);
    }
    const expected = await eventIds(k.database, customers);
    const total = customers.length * 4;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && customers.reduce((n, id) => n + sink.acked(id).length, 0) < total) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const id of customers) {
      expect(expectInOrderOnce(sink, id).map(eventIdOf)).toEqual(expected.get(id));
    }
    // The sink always answered 200: any second request for a key would be a double delivery.
    const keys = sink.received.filter((r) => customers.includes(r.customerId)).map((r) => r.key);
    expect(keys).toHaveLength(total);
    expect(new Set(keys).size).toBe(total);
  });
});
