import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { changeEventsOnce } from '../support/change-log.js';
import { startKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { CAPTURE } from './operations.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

/** Rows of a raw query on either driver (postgres.js returns an array, PGlite an object with rows). */
const rowsOf = (result: unknown) => (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];

const READ = `query($id: ID, $first: Int, $after: String) {
  changeEvents(customerId: $id, first: $first, after: $after) {
    edges { cursor node { cursor type customerId changedFields actor occurredAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('changeEvents', () => {
  it('follows a cursor through the log without repeating or skipping an event', async () => {
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), consents: ['analytics', 'marketing_email', 'product_updates'] } });
    const id = capture.customer.id;
    // Other files' open transactions can hold the capture's events back from the log for a moment.
    expect(await changeEventsOnce(k, id, (logged) => logged.length === 4)).toHaveLength(4);
    const types: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const { changeEvents }: any = await k.ok(READ, { id, first: 2, after }, { as: 'admin' });
      for (const edge of changeEvents.edges) {
        expect(edge.node.cursor).toBe(edge.cursor);
        expect(edge.node.customerId).toBe(id);
        types.push(`${edge.node.type}:${edge.node.changedFields.join(',')}`);
      }
      after = changeEvents.pageInfo.hasNextPage ? changeEvents.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(2);
    expect(types).toEqual([
      'customer.created:email,status',
      'consent.granted:consents.analytics',
      'consent.granted:consents.marketing_email',
      'consent.granted:consents.product_updates',
    ]);
  });

  it('reads the whole log in commit order from a cursor, with later writes after it', async () => {
    const { changeEvents: head }: any = await k.ok(READ, { first: 1 }, { as: 'admin' });
    expect(head.edges).toHaveLength(1);
    let cursor: string = head.pageInfo.endCursor;
    // Drain to the end of the log as it stands.
    for (;;) {
      const { changeEvents }: any = await k.ok(READ, { first: 500, after: cursor }, { as: 'admin' });
      if (changeEvents.edges.length === 0) break;
      cursor = changeEvents.pageInfo.endCursor;
    }
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail() } });
    await changeEventsOnce(k, capture.customer.id, (logged) => logged.length > 0);
    const { changeEvents: tail }: any = await k.ok(READ, { first: 500, after: cursor }, { as: 'admin' });
    const mine = tail.edges.filter((e: any) => e.node.customerId === capture.customer.id);
    expect(mine.map((e: any) => e.node.type)).toEqual(['customer.created']);
  });

  it('writes no event when a write is refused', async () => {
    const email = uniqueEmail();
    const { capture } = await k.ok(CAPTURE, { input: { email } });
    const refused = await k.gql(CAPTURE, { input: { email, attributes: [{ name: 'givenName', value: 'Ok' }], consents: ['no_such_purpose'] } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const logged = await changeEventsOnce(k, capture.customer.id, (events) => events.length > 0);
    expect(logged.map((e) => e.type)).toEqual(['customer.created']);
  });

  it('writes nothing at all when the transaction fails after the customer is written', async () => {
    // A real failure inside the transaction: a trigger refuses the change event of one marked email,
    // after the customer and its consents were inserted. Nothing of the capture may remain.
    const marker = `atomic-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const email = `${marker}@example.com`;
    const fn = `kith_test_fail_${marker.replace(/[^a-z0-9]/g, '_')}`;
    await k.database.db.execute(sql.raw(`create function ${fn}() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from customers where id = new.customer_id and email = '${email}') then
          raise exception 'injected failure';
        end if;
        return new;
      end $$`));
    await k.database.db.execute(sql.raw(`create trigger ${fn} before insert on events for each row execute function ${fn}()`));
    try {
      const failed = await k.gql(CAPTURE, { input: { email, attributes: [{ name: 'givenName', value: 'Ghost' }], consents: ['analytics'] } });
      expect(failed.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(failed.errors?.[0]?.message).toBe('Internal server error.');
      expect(JSON.stringify(failed)).not.toContain(email);
    } finally {
      await k.database.db.execute(sql.raw(`drop trigger ${fn} on events`));
      await k.database.db.execute(sql.raw(`drop function ${fn}()`));
    }
    // Consents and their history reference the customer, so with no customer row none of them can remain.
    const customers = rowsOf(await k.database.db.execute(sql.raw(`select count(*)::int as n from customers where email = '${email}'`)));
    expect(customers[0]!.n).toBe(0);
    // With the trigger gone, the same capture goes through whole.
    const { capture } = await k.ok(CAPTURE, { input: { email, consents: ['analytics'] } });
    expect(capture.created).toBe(true);
  });

  it('refuses a malformed cursor and a page above 500', async () => {
    const bad = await k.gql(READ, { after: 'e1:1:x' }, { as: 'admin' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const big = await k.gql(READ, { first: 501 }, { as: 'admin' });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
