import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { ChangeEventType } from '../domain/events/change-event.js';
import type { EventStore } from '../domain/events/event-store.js';
import type { Db } from './database.js';
import { events } from './tables/index.js';

export function createEventStore(db: Db): EventStore {
  return {
    async append(batch) {
      if (batch.length === 0) return;
      await db.insert(events).values(batch.map((e) => ({ ...e })));
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
