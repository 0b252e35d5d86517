import { describe, expect, it } from 'vitest';
import { createPrincipalCache, parsePrincipalChange, type PrincipalFacts } from '../../src/auth/principal-cache.js';
import { viewerOf } from '../../src/auth/principals.js';
import type { AccessClaims } from '../../src/auth/access-tokens.js';

const session = (sessionId: string, customerId: string): PrincipalFacts => ({ kind: 'session', sessionId, customerId, endsAt: Number.MAX_SAFE_INTEGER });
const staff: PrincipalFacts = { kind: 'staff', staffId: 'st-1', role: 'ADMIN', tokenVersion: 2 };
const client: PrincipalFacts = { kind: 'client', id: 'row-1', clientId: 'kc_1', scopes: ['customers:read', 'segments:read'], purposeKey: 'analytics', tokenVersion: 0 };

function cache(options: { trusted?: () => boolean; ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000;
  const made = createPrincipalCache({ ttlMs: options.ttlMs ?? 60_000, maxEntries: options.maxEntries ?? 100, trusted: options.trusted ?? (() => true), now: () => now });
  return { cache: made, advance: (ms: number) => void (now += ms) };
}

describe('principal cache', () => {
  it('keeps facts under what a token names, until their time is up', () => {
    const { cache: c, advance } = cache({ ttlMs: 5_000 });
    c.set(session('s1', 'c1'), c.generation());
    c.set(staff, c.generation());
    c.set(client, c.generation());
    expect(c.get('session', 's1')).toEqual(session('s1', 'c1'));
    expect(c.get('staff', 'st-1')).toEqual(staff);
    expect(c.get('client', 'kc_1')).toEqual(client);
    advance(5_000);
    expect(c.get('session', 's1')).toBeUndefined();
    expect(c.size()).toBe(2);
  });

  it('never stores facts read before a change that arrived meanwhile', () => {
    const { cache: c } = cache();
    const before = c.generation();
    // A request read the session as active; the revocation's notification arrives before it stores it.
    c.forget({ kind: 'session', id: 's1' });
    c.set(session('s1', 'c1'), before);
    expect(c.get('session', 's1')).toBeUndefined();
    c.set(session('s1', 'c1'), c.generation());
    expect(c.get('session', 's1')).toBeDefined();
  });

  it("forgets a customer's sessions when the customer changes, and only theirs", () => {
    const { cache: c } = cache();
    c.set(session('s1', 'c1'), c.generation());
    c.set(session('s2', 'c1'), c.generation());
    c.set(session('s3', 'c2'), c.generation());
    c.forget({ kind: 'customer', id: 'c1' });
    expect([c.get('session', 's1'), c.get('session', 's2')]).toEqual([undefined, undefined]);
    expect(c.get('session', 's3')).toBeDefined();
  });

  it('forgets a staff member or a client by what the change names', () => {
    const { cache: c } = cache();
    c.set(staff, c.generation());
    c.set(client, c.generation());
    c.forget({ kind: 'client', id: 'row-1' });
    expect(c.get('client', 'kc_1')).toBeDefined();
    c.forget({ kind: 'client', id: 'kc_1' });
    c.forget({ kind: 'staff', id: 'st-1' });
    expect([c.get('client', 'kc_1'), c.get('staff', 'st-1')]).toEqual([undefined, undefined]);
  });

  it('neither answers nor learns while the process may be missing changes', () => {
    let trusted = true;
    const { cache: c } = cache({ trusted: () => trusted });
    c.set(session('s1', 'c1'), c.generation());
    trusted = false;
    expect(c.get('session', 's1')).toBeUndefined();
    c.set(session('s2', 'c2'), c.generation());
    trusted = true;
    expect(c.get('session', 's2')).toBeUndefined();
  });

  it('drops the oldest entry when full, and does nothing with a zero lifetime', () => {
    const { cache: c } = cache({ maxEntries: 2 });
    for (const id of ['s1', 's2', 's3']) c.set(session(id, 'c'), c.generation());
    expect([c.get('session', 's1'), c.size()]).toEqual([undefined, 2]);
    const { cache: off } = cache({ ttlMs: 0 });
    off.set(session('s1', 'c'), off.generation());
    expect(off.get('session', 's1')).toBeUndefined();
  });

  it('reads changes from the channel and ignores anything else', () => {
    expect(parsePrincipalChange('session:abc')).toEqual({ kind: 'session', id: 'abc' });
    expect(parsePrincipalChange('client:kc_1:x')).toEqual({ kind: 'client', id: 'kc_1:x' });
    for (const payload of ['ping:1', 'session:', ':abc', 'nothing', 'barrier:b']) expect(parsePrincipalChange(payload)).toBeNull();
  });
});

describe('viewerOf', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const customerClaims: AccessClaims = { kind: 'customer', customerId: 'c1', sessionId: 's1', authTime: at, acr: 'mfa', amr: ['pwd', 'otp'] } as AccessClaims;

  it("takes how the customer signed in from the token, not from what was cached for the session", () => {
    expect(viewerOf(customerClaims, session('s1', 'c1'))).toEqual({ role: 'CUSTOMER', customerId: 'c1', sessionId: 's1', authTime: at, acr: 'mfa', amr: ['pwd', 'otp'] });
    expect(viewerOf(customerClaims, session('s1', 'someone-else'))).toBeNull();
  });

  it('refuses a staff or client token of another version, and narrows scopes to both', () => {
    expect(viewerOf({ kind: 'staff', staffId: 'st-1', tokenVersion: 1, mfa: true }, staff)).toBeNull();
    expect(viewerOf({ kind: 'staff', staffId: 'st-1', tokenVersion: 2, mfa: false }, staff)).toEqual({ role: 'ADMIN', staffId: 'st-1', mfa: false });
    expect(viewerOf({ kind: 'staff', staffId: 'st-1', tokenVersion: 2, mfa: true }, staff)).toEqual({ role: 'ADMIN', staffId: 'st-1', mfa: true });
    const claims = { kind: 'client', clientId: 'kc_1', tokenVersion: 0, scopes: ['segments:read', 'profiles:subscribe'] } as AccessClaims;
    expect(viewerOf(claims, client)).toEqual({ role: 'SERVICE_CLIENT', id: 'row-1', clientId: 'kc_1', scopes: ['segments:read'], purposeKey: 'analytics' });
  });
});
