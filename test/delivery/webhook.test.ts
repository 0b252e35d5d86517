import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith } from '../support/kith.js';
import { startSink, type Sink } from './sink.js';
import {
  capture, createWebhook, definePurpose, DELIVERY_ENV, disable, eventIds, eventIdOf, expectInOrderOnce, rename, SIGNING_SECRET, until, withdraw,
} from './support.js';

describe('webhook delivery', () => {
  let k: Awaited<ReturnType<typeof startClockedKith>>;
  const connectors: string[] = [];
  const sinks: Sink[] = [];
  const run = () => k.kith.delivery.runOnce();
  // The test clock stands still unless moved: retries become due when it moves on.
  const tick = { advance: () => k.advance(1_000) };

  beforeAll(async () => {
    // A database of its own: a delivery pass works through every connector of its database.
    k = await startClockedKith(DELIVERY_ENV, { ownDatabase: true });
  });
  afterAll(async () => {
    for (const id of connectors) await disable(k, id);
    await k?.close();
    for (const sink of sinks) await sink.close();
  });

  /** A webhook connector with a sink of its own. */
  async function hook(input: Record<string, unknown> = {}) {
    const sink = await startSink(SIGNING_SECRET);
    sinks.push(sink);
    const connector = await createWebhook(k, sink, input);
    connectors.push(connector.id);
    return { ...connector, sink };
  }

  it('sends capture, profile and registration changes of a consenting customer, signed, once each, in order; a withdrawal unsubscribes', async () => {
    const purpose = await definePurpose(k);
    const { sink, ...connector } = await hook({ purpose });
    const ada = await capture(k, [purpose], 'Ada');
    const never = await capture(k, [], 'Nobody');
    await until(run, () => sink.acked(ada).length === 2);

    await rename(k, ada, 'Augusta');
    await rename(k, never, 'Still nobody');
    await until(run, () => sink.acked(ada).length === 3);
    const { register } = await k.ok(`mutation($i: RegisterInput!) { register(input: $i) { created } }`, {
      i: { email: sink.acked(ada)[0]!.fields.email, password: 'a long enough passphrase' },
    });
    expect(register.created).toBe(false);
    await until(run, () => sink.acked(ada).length === 4);
    await withdraw(k, ada, purpose);
    await rename(k, ada, 'After withdrawal');
    await until(run, () => sink.acked(ada).length === 5);
    await run();

    const acked = expectInOrderOnce(sink, ada);
    expect(acked.map((r) => r.type)).toEqual(['upsert', 'upsert', 'upsert', 'upsert', 'unsubscribe']);
    // Registering a light account also logs a customer.updated of its status, which no mapped field follows.
    const logged = (await eventIds(k.database, [ada])).get(ada)!;
    expect(acked.every((r) => r.key.startsWith(`${connector.id}:`) && logged.includes(eventIdOf(r)))).toBe(true);
    expect(eventIdOf(acked[4]!)).toBe(logged.at(-2));
    expect(acked[2]!.fields).toEqual({ email: acked[0]!.fields.email, first_name: 'Augusta', company: null });
    expect(acked[4]!.fields).toEqual({});
    const first = acked[0]!;
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['idempotency-key']).toBe(first.key);
    expect(first.headers['kith-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Date.parse(first.occurredAt)).not.toBeNaN();
    // Nothing ever left for the customer who never granted the purpose, and nothing after the withdrawal.
    expect(sink.received.filter((r) => r.customerId === never)).toEqual([]);
    expect(sink.received.filter((r) => r.customerId === ada)).toHaveLength(5);
    const { connector: read } = await k.ok(`query($id: ID!) { connector(id: $id) { health { backlog deadLetters lastSuccessAt } } }`, { id: connector.id }, { as: 'agent' });
    expect(read.health).toMatchObject({ backlog: 0, deadLetters: 0 });
    expect(read.health.lastSuccessAt).not.toBeNull();
  });

  it('delivers every change through 500, 429 with Retry-After, a timeout and recovery, once per key and in order per customer', async () => {
    const purpose = await definePurpose(k);
    const { sink, ...connector } = await hook({ purpose });
    sink.script({ status: 500 }, { status: 500 }, { status: 429, headers: { 'retry-after': '30' } }, 'hang', { status: 503 }, 'hang');
    const customers = [await capture(k, [purpose], 'One'), await capture(k, [purpose], 'Two'), await capture(k, [purpose], 'Three')];
    for (const id of customers) await rename(k, id, `${id}-renamed`);
    const expected = await eventIds(k.database, customers);
    const total = [...expected.values()].reduce((n, ids) => n + ids.length, 0);
    expect(total).toBe(9);
    const acked = () => customers.reduce((n, id) => n + sink.acked(id).length, 0);
    // Retry-After: 30 holds one customer back 30 s; the test clock moves 10 s between passes.
    await until(run, () => acked() === total, { advance: () => k.advance(10_000) });

    for (const id of customers) {
      const inOrder = expectInOrderOnce(sink, id);
      expect(inOrder.map(eventIdOf)).toEqual(expected.get(id));
      expect(inOrder.map((r) => r.key)).toEqual(expected.get(id)!.map((e) => `${connector.id}:${e}`));
    }
    const answers = sink.received.filter((r) => customers.includes(r.customerId)).map((r) => r.answered);
    expect(answers).toEqual(expect.arrayContaining([500, 429, 'hang', 503]));
    const { connector: read } = await k.ok(`query($id: ID!) { connector(id: $id) { health { backlog deadLetters lastError lastErrorAt } } }`, { id: connector.id }, { as: 'admin' });
    expect(read.health).toMatchObject({ backlog: 0, deadLetters: 0 });
    expect(read.health.lastError).toMatch(/HTTP 5\d\d|HTTP 429|timed out/);
  });

  it('does not send a waiting upsert once the customer has withdrawn, and still sends the unsubscribe', async () => {
    const purpose = await definePurpose(k);
    const { sink } = await hook({ purpose });
    sink.script({ status: 429, headers: { 'retry-after': '60' } });
    const c = await capture(k, [purpose], 'Changed my mind');
    await until(run, () => sink.received.some((r) => r.customerId === c));
    await withdraw(k, c, purpose);
    k.advance(60_000);
    await until(run, () => sink.acked(c).length === 1);
    await run();
    expect(sink.received.filter((r) => r.customerId === c).map((r) => [r.type, r.answered])).toEqual([
      ['upsert', 429],
      ['unsubscribe', 200],
    ]);
  });

  it('waits as long as Retry-After says before trying a change again', async () => {
    const purpose = await definePurpose(k);
    const { sink } = await hook({ purpose });
    sink.script({ status: 429, headers: { 'retry-after': '30' } });
    const c = await capture(k, [purpose], 'Patient');
    await until(run, () => sink.received.some((r) => r.customerId === c));
    k.advance(29_000);
    await run();
    expect(sink.received.filter((r) => r.customerId === c).map((r) => r.answered)).toEqual([429]);
    k.advance(1_000);
    await until(run, () => sink.acked(c).length === 2);
    expect(sink.received.filter((r) => r.customerId === c).map((r) => r.answered)).toEqual([429, 200, 200]);
  });

  it('dead-letters after the last attempt and on a permanent refusal, and replays dead letters', async () => {
    const purpose = await definePurpose(k);
    const { sink, ...connector } = await hook({ purpose, maxAttempts: 3 });
    sink.always({ status: 500 });
    const a = await capture(k, [purpose], 'Dead');
    const health = async () =>
      (await k.ok(`query($id: ID!) { connector(id: $id) { health { backlog deadLetters lastError } } }`, { id: connector.id }, { as: 'admin' })).connector.health;
    let last = { backlog: -1, deadLetters: 0 };
    await until(async () => (last = await health()) && run(), () => last.deadLetters === 2 && last.backlog === 0, tick);
    expect(sink.received.filter((r) => r.customerId === a).length).toBe(6);
    expect((await health()).lastError).toBe('HTTP 500');

    sink.always({ status: 422 });
    const b = await capture(k, [purpose], 'Refused');
    // Its two changes (created, granted) are each refused once and dead-lettered at once.
    await until(run, () => sink.received.filter((r) => r.customerId === b).length >= 2);
    await run();
    expect(sink.received.filter((r) => r.customerId === b)).toHaveLength(2);
    expect(await health()).toMatchObject({ backlog: 0, deadLetters: 4 });

    sink.always(null);
    const { replayDeadLetters } = await k.ok(`mutation($id: ID!) { replayDeadLetters(id: $id) }`, { id: connector.id }, { as: 'admin' });
    expect(replayDeadLetters).toBe(4);
    await until(run, () => sink.acked(a).length === 2 && sink.acked(b).length === 2, tick);
    expectInOrderOnce(sink, a);
    expect(await health()).toMatchObject({ backlog: 0, deadLetters: 0 });
  });

  it('sends every customer profile change through a connector without a purpose', async () => {
    const { sink, ...connector } = await hook();
    const c = await capture(k, [], 'Open');
    await rename(k, c, 'Open again');
    await until(run, () => sink.acked(c).length === 2);
    expect(expectInOrderOnce(sink, c).map((r) => [r.type, r.fields.first_name])).toEqual([['upsert', 'Open again'], ['upsert', 'Open again']]);
    await disable(k, connector.id);
  });

  it('holds changes while disabled and delivers them once enabled again', async () => {
    const purpose = await definePurpose(k);
    const { sink, ...connector } = await hook({ purpose });
    await disable(k, connector.id);
    const c = await capture(k, [purpose], 'Paused');
    await run();
    expect(sink.received.filter((r) => r.customerId === c)).toEqual([]);
    await k.ok(`mutation($id: ID!) { setConnectorEnabled(id: $id, enabled: true) { enabled } }`, { id: connector.id }, { as: 'admin' });
    await until(run, () => sink.acked(c).length === 2);
  });
});
