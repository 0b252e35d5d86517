import { type AnnouncedCacheOptions, createAnnouncedCache } from '../store/announced-cache.js';

/**
 * What this process remembers of the principals behind access tokens, so a request with a token needs no
 * database read: that a session is active (and whose it is), a staff member's role and token version, a
 * service client's scopes, purpose and token version. Only active principals are kept, never a refusal.
 * It is an announced cache (src/store/announced-cache.ts): true only while the process hears every change.
 */

export type PrincipalKind = 'session' | 'customer' | 'staff' | 'client';

/** A change announced by the database: a session, customer, staff member or client (by client_id) changed. */
export interface PrincipalChange {
  readonly kind: PrincipalKind;
  readonly id: string;
}

/** The cached facts, keyed by what a token names: its session, its staff member, or its client id. */
export type PrincipalFacts =
  /** `endsAt`: when the session passes its idle or absolute lifetime (ms), unless refreshed first. */
  | { readonly kind: 'session'; readonly sessionId: string; readonly customerId: string; readonly endsAt: number }
  | { readonly kind: 'staff'; readonly staffId: string; readonly role: 'AGENT' | 'ADMIN'; readonly tokenVersion: number }
  | {
      readonly kind: 'client';
      readonly id: string;
      readonly clientId: string;
      readonly scopes: readonly string[];
      readonly purposeKey: string | null;
      readonly tokenVersion: number;
    };

export type PrincipalCacheOptions = AnnouncedCacheOptions;

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
  const cache = createAnnouncedCache<PrincipalFacts>(options);
  return {
    get: (kind, key) => cache.get(keyOf(kind, key)),
    generation: cache.generation,
    set: (facts, seen) => cache.set(cacheKey(facts), facts, seen),
    forget(change) {
      // A customer's change ends all their sessions; anything else names one entry.
      if (change.kind === 'customer') cache.deleteWhere((facts) => facts.kind === 'session' && facts.customerId === change.id);
      else cache.delete(keyOf(change.kind, change.id));
    },
    clear: cache.clear,
    size: cache.size,
  };
}
