import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { ChangeEventType, NewChangeEvent } from '../domain/events/change-event.js';
import type { EventStore } from '../domain/events/event-store.js';
import type { Db } from './database.js';
import { events } from './tables/index.js';

/**
 * The statement that appends events, writing them only when `guard` holds. The rows travel as arrays, so
 * its text is the same for any number of events: built cheaply, and prepared once per connection. Changed
 * fields go as JSON, one array per event.
 */
export function eventInsert(batch: readonly NewChangeEvent[], guard: SQL = sql`true`): SQL {
  return sql`insert into events (customer_id, type, changed_fields, actor, occurred_at)
    select customer_id, type, array(select jsonb_array_elements_text(fields::jsonb)), actor, at
    from unnest(
      ${sql.param(batch.map((e) => e.customerId))}::uuid[], ${sql.param(batch.map((e) => e.type))}::text[],
      ${sql.param(batch.map((e) => JSON.stringify(e.changedFields)))}::text[], ${sql.param(batch.map((e) => e.actor))}::text[],
      ${sql.param(batch.map((e) => e.occurredAt.toISOString()))}::text[]::timestamptz[]
    ) with ordinality as t(customer_id, type, fields, actor, at, n)
    where ${guard}
    order by n`;
}

export function createEventStore(db: Db): EventStore {
  return {
    async append(batch) {
      if (batch.length === 0) return;
      await db.execute(eventInsert(batch));
    },

    async readAfter(after, limit, customerId) {
      const where: SQL[] = [sql`${events.txId} < pg_snapshot_xmin(pg_current_snapshot())`];
      if (after) where.push(sql`(${events.txId}, ${events.id}) > (${after.txId}::xid8, ${after.id}::bigint)`);
      if (customerId) where.push(eq(events.customerId, customerId));
      const rows = await db
        .select()
        .from(events)
        .where(and(...where))
        .orderBy(asc(events.txId), asc(events.id))
        .limit(limit);
      return rows.map((row) => ({ ...row, txId: String(row.txId), type: row.type as ChangeEventType }));
    },
  };
}
