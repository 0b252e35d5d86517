import { randomUUID } from 'node:crypto';
import { type PrincipalChange, parsePrincipalChange } from '../auth/principal-cache.js';
import type { Database, Listener } from './database.js';

/**
 * How every Kith process on one database learns, as it commits, that a principal changed: a session
 * revoked, a customer's status changed, a staff member or service client changed or removed. Triggers
 * (drizzle/0011_principal_changes.sql) announce each such change on one channel; each process LISTENs on
 * a connection of its own.
 *
 * The same channel carries the process's own traffic:
 * - `ping:<instance>` every `heartbeatMs`, sent with the heartbeat that records the process as live in
 *   kith_instances. Hearing its own ping proves the channel works; only while the last one is recent
 *   (3 heartbeats) does the process trust what it cached.
 * - `barrier:<id>` and `ack:<id>:<instance>`: settle() sends a barrier after a revocation has committed and
 *   waits for an ack from every live process. Notifications arrive in commit order, so a process that acks
 *   the barrier has already dropped what the revocation named: when settle() returns, no process serves the
 *   revoked token any more.
 */

export const PRINCIPAL_CHANNEL = 'kith_principal_changes';

export interface PrincipalChangeFeedOptions {
  /** Called for every principal change, in commit order. */
  onChange(change: PrincipalChange): void;
  /** Called when changes may have been missed (the connection closed, or came back). */
  onReset(): void;
  /** How often the process proves it hears the channel and records itself as live, in milliseconds. */
  heartbeatMs: number;
  /** How long settle() waits for the other processes, in milliseconds. */
  settleTimeoutMs: number;
  warn(message: string, details: Record<string, unknown>): void;
}

export interface PrincipalChangeFeed {
  readonly instanceId: string;
  /** Whether this process hears every change right now. */
  trusted(): boolean;
  /** Resolves when every live process has heard everything committed before the call (or the wait timed out). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

interface PendingBarrier {
  readonly waiting: Set<string>;
  readonly done: () => void;
}

/** Heartbeats missed before the channel is no longer trusted, and before a process no longer counts as live. */
const MISSED_HEARTBEATS = 3;

export async function startPrincipalChangeFeed(database: Database, options: PrincipalChangeFeedOptions): Promise<PrincipalChangeFeed> {
  const instanceId = randomUUID();
  const barriers = new Map<string, PendingBarrier>();
  let listening = false;
  let lastPing = -Infinity;
  let closed = false;
  let listener: Listener | null = null;

  const fireAndForget = (text: string, params: (string | number)[]) => {
    listener?.query(text, params).catch(() => {
      // A failed send shows as a missed ping or ack; the connection's own recovery handles the rest.
    });
  };

  function onNotify(payload: string): void {
    const colon = payload.indexOf(':');
    const kind = payload.slice(0, colon);
    const rest = payload.slice(colon + 1);
    switch (kind) {
      case 'ping':
        if (rest === instanceId) lastPing = performance.now();
        return;
      case 'barrier':
        fireAndForget('select pg_notify($1, $2)', [PRINCIPAL_CHANNEL, `ack:${rest}:${instanceId}`]);
        return;
      case 'ack': {
        const split = rest.lastIndexOf(':');
        const barrier = barriers.get(rest.slice(0, split));
        if (!barrier) return;
        barrier.waiting.delete(rest.slice(split + 1));
        if (barrier.waiting.size === 0) barrier.done();
        return;
      }
      default: {
        const change = parsePrincipalChange(payload);
        if (change) options.onChange(change);
      }
    }
  }

  const heartbeat = () =>
    listener?.query(
      `with beat as (
         insert into kith_instances (id, seen_at) values ($1, now())
         on conflict (id) do update set seen_at = excluded.seen_at
         returning id
       )
       select pg_notify($2, 'ping:' || id) from beat`,
      [instanceId, PRINCIPAL_CHANNEL],
    );

  listener = await database.listen(
    PRINCIPAL_CHANNEL,
    {
      notify: onNotify,
      lost() {
        listening = false;
        options.onReset();
      },
      listening() {
        listening = true;
        options.onReset();
      },
    },
    `kith-principals-${instanceId}`,
  );
  // Rows of processes gone for a minute are of no use to anyone.
  await listener.query(`delete from kith_instances where seen_at < now() - interval '1 minute'`);
  await heartbeat();
  const timer = setInterval(() => {
    heartbeat()?.catch(() => {});
  }, options.heartbeatMs);
  timer.unref();

  return {
    instanceId,
    trusted: () => listening && !closed && performance.now() - lastPing < MISSED_HEARTBEATS * options.heartbeatMs,

    async settle() {
      if (closed || !listener) return;
      const id = randomUUID();
      const started = performance.now();
      let timeout: NodeJS.Timeout | undefined;
      const waiting = new Set<string>();
      try {
        const live = await listener.query('select id from kith_instances where seen_at > now() - make_interval(secs => $1)', [
          (MISSED_HEARTBEATS * options.heartbeatMs) / 1000,
        ]);
        for (const row of live) waiting.add(String(row.id));
        waiting.add(instanceId);
        const acked = new Promise<void>((done) => barriers.set(id, { waiting, done }));
        const timedOut = new Promise<'timeout'>((done) => {
          timeout = setTimeout(() => done('timeout'), options.settleTimeoutMs);
        });
        await listener.query('select pg_notify($1, $2)', [PRINCIPAL_CHANNEL, `barrier:${id}`]);
        if ((await Promise.race([acked, timedOut])) === 'timeout') {
          options.warn('some Kith processes did not confirm a revocation in time; each drops the principal when the change reaches it', {
            instances: [...waiting],
            waitedMs: Math.round(performance.now() - started),
          });
        }
      } catch (error) {
        options.warn('could not confirm a revocation with the other Kith processes', { error: String(error) });
      } finally {
        clearTimeout(timeout);
        barriers.delete(id);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      for (const barrier of barriers.values()) barrier.done();
      try {
        await listener?.query('delete from kith_instances where id = $1', [instanceId]);
      } finally {
        await listener?.close();
        listener = null;
      }
    },
  };
}

/**
 * Called by a store after a write that can end a token: a session revoked, a customer's status changed, a
 * staff member or client updated. Inside a transaction it only notes the write, and the unit of work
 * settles after the commit; outside one the write has committed, so it settles at once.
 */
export type PrincipalWritten = () => void | Promise<void>;
