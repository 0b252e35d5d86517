import { sql } from 'drizzle-orm';
import { bigint, customType, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id; read back as a decimal string so no precision is lost. */
const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});

/**
 * The append-only change log. Every write to a customer or a consent appends here in the same transaction.
 * Order is (tx_id, id): readers only read below the oldest transaction still running, so an event never
 * appears behind a cursor that has already passed it (ids alone commit out of order under concurrency).
 */
export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    txId: xid8('tx_id')
      .notNull()
      .default(sql`pg_current_xact_id()`),
    customerId: uuid('customer_id'),
    type: text('type').notNull(),
    /** Names of the fields the change touched; values are not copied, so erasure stays in one place. */
    changedFields: text('changed_fields').array().notNull(),
    actor: text('actor').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('events_position_idx').on(t.txId, t.id), index('events_customer_position_idx').on(t.customerId, t.txId, t.id)],
);
