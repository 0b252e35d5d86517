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
 * - `ping:<instance>:<n>` every `heartbeatMs`, sent with the heartbeat that records the process as live in
 *   kith_instances. Hearing its own ping proves the channel works: a process trusts what it cached only
 *   until 3 heartbeats after the last ping it heard was sent.
 * - `barrier:<id>` and `ack:<id>:<instance>`: settle() sends a barrier after a revocation has committed and
 *   waits for an ack from every live process, for at most those 3 heartbeats. Notifications arrive in
 *   commit order, so a process that acks the barrier has already dropped what the revocation named, and
 *   one that cannot ack in time has heard no ping sent after the revocation and trusts its cache no more:
 *   when settle() returns, no process serves the revoked token.
 */

export const PRINCIPAL_CHANNEL = 'kith_principal_changes';

export interface PrincipalChangeFeedOptions {
  /** Called for every principal change, in commit order. */
  onChange(change: PrincipalChange): void;
  /** Called when a catalog (attribute definitions, purposes) changed. */
  onCatalogChange(): void;
  /** Called when changes may have been missed (the connection closed, or came back). */
  onReset(): void;
  /** How often the process proves it hears the channel and records itself as live, in milliseconds. */
  heartbeatMs: number;
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

/** Heartbeats a process may miss before it stops trusting what it cached. */
const MISSED_HEARTBEATS = 3;
/** Added to the trust window when choosing whom to wait for: slow commits and clock skew between hosts. */
const LIVE_MARGIN_MS = 2_000;

const sleep = (ms: number) => new Promise((resume) => setTimeout(resume, Math.max(0, ms)));

export async function startPrincipalChangeFeed(database: Database, options: PrincipalChangeFeedOptions): Promise<PrincipalChangeFeed> {
  const instanceId = randomUUID();
  const barriers = new Map<string, PendingBarrier>();
  /** How long a ping keeps the process trusting its cache, measured from when the ping was sent. */
  const trustMs = MISSED_HEARTBEATS * options.heartbeatMs;
  /** Ping numbers not heard yet, with when each was sent. */
  const pingsSent = new Map<number, number>();
  let nextPing = 0;
  let listening = false;
  let lastPingSentAt = -Infinity;
  let closed = false;
  let listener: Listener | null = null;

  const fireAndForget = (text: string, params: (string | number)[]) => {
    listener?.query(text, params).catch(() => {
      // A failed send shows as a missed ping or ack; the connection's own recovery handles the rest.
    });
  };

  function heardPing(rest: string): void {
    const split = rest.lastIndexOf(':');
    if (rest.slice(0, split) !== instanceId) return;
    const seq = Number(rest.slice(split + 1));
    const sentAt = pingsSent.get(seq);
    if (sentAt === undefined) return;
    // Trust runs from when the ping was sent: everything committed before that has been heard.
    lastPingSentAt = Math.max(lastPingSentAt, sentAt);
    for (const earlier of pingsSent.keys()) if (earlier <= seq) pingsSent.delete(earlier);
  }

  function onNotify(payload: string): void {
    const colon = payload.indexOf(':');
    const kind = payload.slice(0, colon);
    const rest = payload.slice(colon + 1);
    switch (kind) {
      case 'ping':
        heardPing(rest);
        return;
      case 'catalog':
        options.onCatalogChange();
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

  function heartbeat() {
    const seq = nextPing++;
    pingsSent.set(seq, performance.now());
    // Pings that never came back (a lost connection) are of no use once older than the trust window.
    for (const [old, sentAt] of pingsSent) if (performance.now() - sentAt > 2 * trustMs) pingsSent.delete(old);
    return listener?.query(
      `with beat as (
         insert into kith_instances (id, seen_at) values ($1, now())
         on conflict (id) do update set seen_at = excluded.seen_at
         returning id
       )
       select pg_notify($2, 'ping:' || id || ':' || $3) from beat`,
      [instanceId, PRINCIPAL_CHANNEL, seq],
    );
  }

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
  try {
    // Rows of processes gone for a minute are of no use to anyone.
    await listener.query(`delete from kith_instances where seen_at < now() - interval '1 minute'`);
    await heartbeat();
  } catch (error) {
    // A start that fails must not leave the listening connection open.
    await listener.close();
    throw error;
  }
  const timer = setInterval(() => {
    heartbeat()?.catch(() => {});
  }, options.heartbeatMs);
  timer.unref();

  return {
    instanceId,
    trusted: () => listening && !closed && performance.now() - lastPingSentAt < trustMs,

    /**
     * Returns once every process has heard everything committed before the call, or can no longer trust
     * its cache: a process that has not acknowledged the barrier within the trust window has heard none of
     * its pings sent since, so it stopped trusting. Whom to wait for comes from kith_instances, with a
     * margin; it decides only how soon this returns, never whether it is safe to.
     */
    async settle() {
      if (closed || !listener) return;
      const id = randomUUID();
      const started = performance.now();
      // A little over the trust window, so timer granularity cannot cut it short.
      const deadline = started + trustMs + 100;
      const waiting = new Set<string>();
      let timeout: NodeJS.Timeout | undefined;
      try {
        const live = await listener.query('select id from kith_instances where seen_at > now() - make_interval(secs => $1)', [
          (trustMs + LIVE_MARGIN_MS) / 1000,
        ]);
        for (const row of live) waiting.add(String(row.id));
        waiting.add(instanceId);
        const acked = new Promise<void>((done) => barriers.set(id, { waiting, done }));
        const timedOut = new Promise<'timeout'>((done) => {
          timeout = setTimeout(() => done('timeout'), deadline - performance.now());
        });
        await listener.query('select pg_notify($1, $2)', [PRINCIPAL_CHANNEL, `barrier:${id}`]);
        if ((await Promise.race([acked, timedOut])) === 'timeout') {
          options.warn('some Kith processes did not confirm a revocation within the trust window; they had stopped trusting their caches', {
            instances: [...waiting],
            waitedMs: Math.round(performance.now() - started),
          });
        }
      } catch (error) {
        options.warn('could not confirm a revocation with the other Kith processes; waited out the trust window instead', { error: String(error) });
        await sleep(deadline - performance.now());
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
