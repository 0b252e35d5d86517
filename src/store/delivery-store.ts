import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { ChangeEvent } from '../domain/events/change-event.js';
import type { ClaimedDelivery, ConsentFacts, DeliveryAction, DeliveryStore, FanOutTx } from '../domain/delivery/connector.js';
import type { Db } from './database.js';
import { createEventStore } from './event-store.js';
import { connectorCursors, connectors, consentRecords, consents, customers, deliveries, erasureNotices, events } from './tables/index.js';

function fanOutTx(tx: Db): FanOutTx {
  const log = createEventStore(tx);
  return {
    async lockCursor(connectorId) {
      const [row] = await tx
        .select({ txId: sql<string>`${connectorCursors.txId}::text`, eventId: connectorCursors.eventId })
        .from(connectorCursors)
        .where(eq(connectorCursors.connectorId, connectorId))
        .for('update', { skipLocked: true });
      return row ? { txId: row.txId, id: Number(row.eventId) } : null;
    },

    eventsAfter: (position, limit): Promise<ChangeEvent[]> => log.readAfter(position, limit),

    async consentFacts(customerIds, purposeKey) {
      const facts = new Map<string, ConsentFacts>();
      if (customerIds.length === 0) return facts;
      const rows = await tx
        .select({
          customerId: consents.customerId,
          granted: sql<boolean>`${consents.status} = 'GRANTED'`,
          everGranted: sql<boolean>`exists (select 1 from ${consentRecords} where ${consentRecords.customerId} = ${consents.customerId}
            and ${consentRecords.purposeKey} = ${purposeKey} and ${consentRecords.status} = 'GRANTED')`,
        })
        .from(consents)
        .where(and(inArray(consents.customerId, [...customerIds]), eq(consents.purposeKey, purposeKey)));
      for (const row of rows) facts.set(row.customerId, { granted: Boolean(row.granted), everGranted: Boolean(row.everGranted) });
      return facts;
    },

    async insertDeliveries(connectorId, planned, at) {
      if (planned.length === 0) return;
      await tx
        .insert(deliveries)
        .values(planned.map((p) => ({ connectorId, ...p, status: 'pending', nextAttemptAt: at, createdAt: at, updatedAt: at })))
        .onConflictDoNothing({ target: deliveries.idempotencyKey });
    },

    async advanceCursor(connectorId, position) {
      await tx
        .update(connectorCursors)
        .set({ txId: sql`${position.txId}::xid8` as unknown as string, eventId: position.id })
        .where(eq(connectorCursors.connectorId, connectorId));
    },
  };
}

/** The pending deliveries no older pending delivery of the same (connector, customer) precedes. */
const headOfCustomerQueue = sql`not exists (select 1 from ${deliveries} as older
  where older.connector_id = ${deliveries.connectorId} and older.customer_id = ${deliveries.customerId}
    and older.status = 'pending' and older.id < ${deliveries.id})`;

/**
 * An erasure notice some connector still needs: its cursor is before the erasure's last event (it has not
 * fanned the deletion out yet; a disabled connector keeps its place), or its delete is pending or dead (a
 * dead letter may be replayed). Each branch walks the connectors so the deliveries' per-connector indexes serve.
 */
const erasureStillNeeded = sql`exists (select 1 from ${connectorCursors} k
    where (k.tx_id, k.event_id) < (${erasureNotices.txId}, (select max(e.id) from ${events} e
      where e.customer_id = ${erasureNotices.customerId} and e.tx_id = ${erasureNotices.txId})))
  or exists (select 1 from ${connectors} c join ${deliveries} d on d.connector_id = c.id
    where d.customer_id = ${erasureNotices.customerId} and d.status = 'pending' and d.action = 'delete')
  or exists (select 1 from ${connectors} c join ${deliveries} d on d.connector_id = c.id
    where d.customer_id = ${erasureNotices.customerId} and d.status = 'dead' and d.action = 'delete')`;

export function createDeliveryStore(db: Db): DeliveryStore {
  return {
    fanOut: (work) => db.transaction((tx) => work(fanOutTx(tx as unknown as Db))),

    claim(connectorId, limit, now, lockedUntil, claimToken) {
      return db.transaction(async (tx) => {
        const rows = await tx
          .select({
            id: deliveries.id,
            eventId: deliveries.eventId,
            customerId: deliveries.customerId,
            action: deliveries.action,
            idempotencyKey: deliveries.idempotencyKey,
            attempts: deliveries.attempts,
            occurredAt: events.occurredAt,
          })
          .from(deliveries)
          .innerJoin(events, eq(events.id, deliveries.eventId))
          .where(
            and(
              eq(deliveries.connectorId, connectorId),
              eq(deliveries.status, 'pending'),
              lte(deliveries.nextAttemptAt, now),
              or(isNull(deliveries.lockedUntil), lte(deliveries.lockedUntil, now)),
              headOfCustomerQueue,
            ),
          )
          .orderBy(asc(deliveries.nextAttemptAt), asc(deliveries.id))
          .limit(limit)
          .for('update', { of: deliveries, skipLocked: true });
        if (rows.length === 0) return [];
        await tx
          .update(deliveries)
          .set({ lockedUntil, claimToken, updatedAt: now })
          .where(inArray(deliveries.id, rows.map((r) => r.id)));
        return rows.map((r): ClaimedDelivery => ({ ...r, id: Number(r.id), eventId: Number(r.eventId), action: r.action as DeliveryAction }));
      });
    },

    async record(claimToken, outcomes, at) {
      if (outcomes.length === 0) return;
      await db.transaction(async (tx) => {
        for (const outcome of outcomes) {
          await tx
            .update(deliveries)
            .set({
              status: outcome.status,
              attempts: sql`${deliveries.attempts} + 1`,
              ...(outcome.status === 'pending' ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
              lastError: outcome.status === 'pending' || outcome.status === 'dead' ? outcome.error : null,
              lockedUntil: null,
              claimToken: null,
              updatedAt: at,
            })
            .where(and(eq(deliveries.id, outcome.id), eq(deliveries.claimToken, claimToken)));
        }
      });
    },

    async erasedEmails(customerIds) {
      if (customerIds.length === 0) return new Map();
      const rows = await db
        .select({ customerId: erasureNotices.customerId, email: erasureNotices.email })
        .from(erasureNotices)
        // An address someone has registered or been captured with since is theirs: it finds their contact now.
        .where(
          and(
            inArray(erasureNotices.customerId, [...customerIds]),
            sql`not exists (select 1 from ${customers} where lower(${customers.email}) = lower(${erasureNotices.email}))`,
          ),
        );
      return new Map(rows.map((row) => [row.customerId, row.email]));
    },

    async forgetErasures() {
      await db.delete(erasureNotices).where(sql`not (${erasureStillNeeded})`);
    },

    async noteHealth(connectorId, at, health) {
      if (!health.succeeded && health.error === null) return;
      await db
        .update(connectors)
        .set({
          ...(health.succeeded ? { lastSuccessAt: at } : {}),
          ...(health.error !== null ? { lastError: health.error.slice(0, 1000), lastErrorAt: at } : {}),
        })
        .where(eq(connectors.id, connectorId));
    },
  };
}
