import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { capture, CONNECTOR_FIELDS, createWebhook, isolatedKithWithSink, until } from './support.js';

const world = isolatedKithWithSink();

it('one connector that cannot be used does not hold up the others, and its health says why', async () => {
  const { k, sink } = world;
  const broken = await createWebhook(k, sink);
  k.advance(1_000); // listed (oldest first) before the working one
  const working = await createWebhook(k, sink);
  // Settings its kind refuses (as after a stricter release, or a hand edit): every pass fails on it.
  await k.database.db.execute(sql`update connectors set settings = '{"url": "ftp://example.com/"}'::jsonb where id = ${broken.id}`);
  const ada = await capture(k, []);
  await until(() => k.kith.delivery.runOnce(), () => sink.acked(ada).length >= 1);
  const { connector } = await k.ok(`query($id: ID!) { connector(id: $id) { ${CONNECTOR_FIELDS} } }`, { id: broken.id }, { as: 'admin' });
  expect(connector.health.lastError).toMatch(/connector failure: .*settings\.url/);
  expect(sink.acked(ada)).toHaveLength(1);
});
