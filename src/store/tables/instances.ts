import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The Kith processes serving this database, each with the time it last proved that it hears the
 * principal-change channel (src/store/principal-changes.ts). A revocation waits until every process seen
 * in the last few seconds has confirmed it dropped what it cached; a process deletes its row when it stops.
 */
export const kithInstances = pgTable('kith_instances', {
  id: uuid('id').primaryKey(),
  seenAt: timestamp('seen_at', { withTimezone: true, precision: 3 }).notNull(),
});
