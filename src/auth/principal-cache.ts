/**
 * What this process remembers of the principals behind access tokens, so a request with a token needs no
 * database read: that a session is active (and whose it is), a staff member's role and token version, a
 * service client's scopes, purpose and token version. Only active principals are kept, never a refusal.
 *
 * It is safe only while the process hears every change as it commits (src/store/principal-changes.ts):
 * `trusted()` says so, and while it is false nothing is read from or written to the cache. A change
 * forgets what it names; an entry read from the database before a change is never stored after it (the
 * generation check), and every entry is also dropped after `ttlMs` whatever happens.
 */

export type PrincipalKind = 'session' | 'customer' | 'staff' | 'client';

/** A change announced by the database: a session, customer, staff member or client (by client_id) changed. */
export interface PrincipalChange {
  readonly kind: PrincipalKind;
  readonly id: string;
}

/** The cached facts, keyed by what a token names: its session, its staff member, or its client id. */
export type PrincipalFacts =
  | { readonly kind: 'session'; readonly sessionId: string; readonly customerId: string }
  | { readonly kind: 'staff'; readonly staffId: string; readonly role: 'AGENT' | 'ADMIN'; readonly tokenVersion: number }
  | {
      readonly kind: 'client';
      readonly id: string;
      readonly clientId: string;
      readonly scopes: readonly string[];
      readonly purposeKey: string | null;
      readonly tokenVersion: number;
    };

export interface PrincipalCacheOptions {
  /** How long an entry may be used at most, in milliseconds; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Entries kept at most; the oldest goes first. */
  readonly maxEntries: number;
  /** Whether the process hears changes right now. */
  readonly trusted: () => boolean;
  readonly now?: () => number;
}

export interface PrincipalCache {
  /** A token's principal facts, if cached, fresh, and the process hears changes. */
  get(kind: PrincipalFacts['kind'], key: string): PrincipalFacts | undefined;
  /** Take this before reading the database, and pass it to set(). */
  generation(): number;
  /** Keeps facts read from the database, unless a change arrived since `generation` was taken. */
  set(facts: PrincipalFacts, generation: number): void;
  forget(change: PrincipalChange): void;
  clear(): void;
  readonly size: () => number;
}

interface Entry {
  readonly facts: PrincipalFacts;
  readonly expiresAt: number;
}

function keyOf(kind: PrincipalFacts['kind'], key: string): string {
  return `${kind}:${key}`;
}

function cacheKey(facts: PrincipalFacts): string {
  switch (facts.kind) {
    case 'session':
      return keyOf('session', facts.sessionId);
    case 'staff':
      return keyOf('staff', facts.staffId);
    case 'client':
      return keyOf('client', facts.clientId);
  }
}

/** Whether a change concerns these facts: its own row, or (for a session) its customer's. */
export function concerns(change: PrincipalChange, facts: PrincipalFacts): boolean {
  switch (change.kind) {
    case 'session':
      return facts.kind === 'session' && facts.sessionId === change.id;
    case 'customer':
      return facts.kind === 'session' && facts.customerId === change.id;
    case 'staff':
      return facts.kind === 'staff' && facts.staffId === change.id;
    case 'client':
      return facts.kind === 'client' && facts.clientId === change.id;
  }
}

/** Reads a change from the channel's payload `<kind>:<id>`; anything else is not a principal change. */
export function parsePrincipalChange(payload: string): PrincipalChange | null {
  const colon = payload.indexOf(':');
  if (colon <= 0) return null;
  const kind = payload.slice(0, colon);
  const id = payload.slice(colon + 1);
  if (id === '' || (kind !== 'session' && kind !== 'customer' && kind !== 'staff' && kind !== 'client')) return null;
  return { kind, id };
}

export function createPrincipalCache(options: PrincipalCacheOptions): PrincipalCache {
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  let generation = 0;
  const enabled = () => options.ttlMs > 0 && options.trusted();

  return {
    get(kind, key) {
      if (!enabled()) return undefined;
      const k = keyOf(kind, key);
      const entry = entries.get(k);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(k);
        return undefined;
      }
      return entry.facts;
    },
    generation: () => generation,
    set(facts, seen) {
      if (seen !== generation || !enabled()) return;
      const k = cacheKey(facts);
      entries.delete(k);
      if (entries.size >= options.maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(k, { facts, expiresAt: now() + options.ttlMs });
    },
    forget(change) {
      generation += 1;
      if (change.kind === 'session' || change.kind === 'staff' || change.kind === 'client') {
        entries.delete(keyOf(change.kind, change.id));
        return;
      }
      for (const [k, entry] of entries) {
        if (concerns(change, entry.facts)) entries.delete(k);
      }
    },
    clear() {
      generation += 1;
      entries.clear();
    },
    size: () => entries.size,
  };
}
