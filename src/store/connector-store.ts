import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Connector, ConnectorStore } from '../domain/delivery/connector.js';
import type { Db } from './database.js';
import { connectorCursors, connectors, deliveries, events } from './tables/index.js';

type Row = typeof connectors.$inferSelect;

function toConnector({ sealedSecrets, ...row }: Row): Connector {
  return { ...row, secretsSet: sealedSecrets !== null };
}

function columns(connector: Connector) {
  const { secretsSet: _secretsSet, ...rest } = connector;
  return { ...rest, fieldMapping: { ...connector.fieldMapping } };
}

export function createConnectorStore(db: Db): ConnectorStore {
  return {
    async list() {
      return (await db.select().from(connectors).orderBy(asc(connectors.createdAt), asc(connectors.id))).map(toConnector);
    },

    async findById(id) {
      const [row] = await db.select().from(connectors).where(eq(connectors.id, id));
      return row ? toConnector(row) : null;
    },

    async insert(connector, sealedSecrets) {
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(connectors).values({ ...columns(connector), sealedSecrets }).returning();
        // A new connector sends changes from now on: its cursor starts at the newest event below the horizon.
        await tx.execute(sql`
          insert into ${connectorCursors} (connector_id, tx_id, event_id)
          select ${connector.id}::uuid, coalesce(max_tx, '0'::xid8), coalesce(max_id, 0)
          from (select ${events.txId} as max_tx, ${events.id} as max_id from ${events}
                where ${events.txId} < pg_snapshot_xmin(pg_current_snapshot())
                order by ${events.txId} desc, ${events.id} desc limit 1) head
          right join (select 1) one on true`);
        return toConnector(row!);
      });
    },

    async update(connector, sealedSecrets) {
      const [row] = await db
        .update(connectors)
        .set({ ...columns(connector), ...(sealedSecrets !== undefined ? { sealedSecrets } : {}) })
        .where(eq(connectors.id, connector.id))
        .returning();
      return row ? toConnector(row) : null;
    },

    async setEnabled(id, enabled, at) {
      const [row] = await db.update(connectors).set({ enabled, updatedAt: at }).where(eq(connectors.id, id)).returning();
      return row ? toConnector(row) : null;
    },

    async sealedSecrets(id) {
      const [row] = await db.select({ sealed: connectors.sealedSecrets }).from(connectors).where(eq(connectors.id, id));
      return row?.sealed ?? null;
    },

    async counts(ids) {
      const result = new Map<string, { backlog: number; deadLetters: number }>();
      if (ids.length === 0) return result;
      const rows = await db
        .select({
          connectorId: deliveries.connectorId,
          backlog: sql<number>`count(*) filter (where ${deliveries.status} = 'pending')::int`,
          deadLetters: sql<number>`count(*) filter (where ${deliveries.status} = 'dead')::int`,
        })
        .from(deliveries)
        .where(and(inArray(deliveries.connectorId, [...ids]), inArray(deliveries.status, ['pending', 'dead'])))
        .groupBy(deliveries.connectorId);
      for (const row of rows) result.set(row.connectorId, { backlog: Number(row.backlog), deadLetters: Number(row.deadLetters) });
      return result;
    },

    async replayDead(id, at) {
      const rows = await db
        .update(deliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: at, lockedUntil: null, claimToken: null, lastError: null, updatedAt: at })
        .where(and(eq(deliveries.connectorId, id), eq(deliveries.status, 'dead')))
        .returning({ id: deliveries.id });
      return rows.length;
    },
  };
}
