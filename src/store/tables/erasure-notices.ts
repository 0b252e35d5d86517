import { sql } from 'drizzle-orm';
import { customType, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.js';

/** PostgreSQL's 64-bit transaction id, as a decimal string (the change log's position type). */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * The email of an erased customer, kept apart only so connectors that find contacts by email (HubSpot) can
 * carry out the deletion (GDPR art. 19: erasure is passed on to the recipients). Written by the erasure's
 * transaction when any connector exists; removed by the delivery loop once no connector has the deletion
 * still ahead of it, pending, or dead (src/store/delivery-store.ts).
 */
export const erasureNotices = pgTable('erasure_notices', {
  customerId: uuid('customer_id')
    .primaryKey()
    .references(() => customers.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  /** The erasure's transaction: connectors whose cursor has not passed its events still need the email. */
  txId: xid8('tx_id')
    .notNull()
    .default(sql`pg_current_xact_id()`),
  erasedAt: timestamp('erased_at', { withTimezone: true, precision: 3 }).notNull(),
});
