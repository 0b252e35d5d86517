import { sql } from 'drizzle-orm';
import { bigint, boolean, check, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { consentPurposes } from './catalog.js';

/** PostgreSQL's 64-bit transaction id, as a decimal string (the change log's position type). */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * Outbound connectors: one row per configured target (a webhook, a CRM, ...). Settings are plain JSON;
 * secrets are a JWE sealed under KITH_KEY_ENCRYPTION_KEY (label "kith connector-secrets v1", context the id).
 */
export const connectors = pgTable(
  'connectors',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** Only customers who granted this purpose leave through the connector; null sends everyone's changes. */
    purposeKey: text('purpose_key').references(() => consentPurposes.key),
    /** Kith field name -> target field name. */
    fieldMapping: jsonb('field_mapping').$type<Record<string, string>>().notNull(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    sealedSecrets: text('sealed_secrets'),
    maxAttempts: integer('max_attempts').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true, precision: 3 }),
    lastError: text('last_error'),
    lastErrorAt: timestamp('last_error_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [uniqueIndex('connectors_name_key').on(sql`lower(${t.name})`)],
);

/**
 * How far each connector has read the change log, in its (tx_id, event id) order. Fan-out locks this row,
 * so one process at a time turns a connector's new events into deliveries.
 */
export const connectorCursors = pgTable('connector_cursors', {
  connectorId: uuid('connector_id')
    .primaryKey()
    .references(() => connectors.id, { onDelete: 'cascade' }),
  txId: xid8('tx_id').notNull(),
  eventId: bigint('event_id', { mode: 'number' }).notNull(),
});

/**
 * One change for one customer to one connector: the outbox's work items. `id` follows the change log's
 * order within a connector (fan-out inserts in log order, one process at a time), so the oldest pending
 * delivery of a (connector, customer) pair is the one with the smallest id.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    connectorId: uuid('connector_id')
      .notNull()
      .references(() => connectors.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    customerId: uuid('customer_id').notNull(),
    action: text('action').notNull(),
    /** `<connector id>:<event id>`: the target deduplicates by it. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** pending, delivered, skipped (the customer's consent was gone when it came to be sent) or dead. */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull(),
    /** A claim's lease: until then the claiming process owns the delivery; after it, anyone may claim it again. */
    lockedUntil: timestamp('locked_until', { withTimezone: true, precision: 3 }),
    /** The claim that holds the lease; an outcome is recorded only by the claim that still holds it. */
    claimToken: uuid('claim_token'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    uniqueIndex('deliveries_idempotency_key').on(t.idempotencyKey),
    // Claiming: the due pending deliveries of a connector; the head of each customer's queue.
    index('deliveries_pending_due_idx').on(t.connectorId, t.nextAttemptAt, t.id).where(sql`${t.status} = 'pending'`),
    index('deliveries_pending_customer_idx').on(t.connectorId, t.customerId, t.id).where(sql`${t.status} = 'pending'`),
    index('deliveries_connector_status_idx').on(t.connectorId, t.status),
    check('deliveries_status_check', sql`${t.status} in ('pending', 'delivered', 'skipped', 'dead')`),
    check('deliveries_action_check', sql`${t.action} in ('upsert', 'unsubscribe', 'delete')`),
  ],
);
