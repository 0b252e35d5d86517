import type { Services } from '../domain/services.js';
import type { Scope } from '../domain/principals/service-client.js';
import type { AccessClaims } from './access-tokens.js';
import type { PrincipalCache, PrincipalFacts } from './principal-cache.js';
import type { Viewer } from './viewer.js';

type PrincipalServices = Pick<Services, 'sessions' | 'staff' | 'clients'>;

/** The facts about a token's principal as the store has them now; null when it may no longer act. */
async function readFacts(services: PrincipalServices, claims: AccessClaims): Promise<PrincipalFacts | null> {
  switch (claims.kind) {
    case 'customer': {
      const session = await services.sessions.findActive(claims.sessionId);
      return session ? { kind: 'session', sessionId: session.id, customerId: session.customerId, endsAt: services.sessions.endOf(session).getTime() } : null;
    }
    case 'staff': {
      const member = await services.staff.findById(claims.staffId);
      if (!member || member.disabledAt) return null;
      return { kind: 'staff', staffId: member.id, role: member.role, tokenVersion: member.tokenVersion };
    }
    case 'client': {
      const client = await services.clients.findByClientId(claims.clientId);
      if (!client || client.disabledAt) return null;
      return { kind: 'client', id: client.id, clientId: client.clientId, scopes: client.scopes, purposeKey: client.purposeKey, tokenVersion: client.tokenVersion };
    }
  }
}

function cacheKeyOf(claims: AccessClaims): [PrincipalFacts['kind'], string] {
  switch (claims.kind) {
    case 'customer':
      return ['session', claims.sessionId];
    case 'staff':
      return ['staff', claims.staffId];
    case 'client':
      return ['client', claims.clientId];
  }
}

/**
 * The viewer the claims stand for, given the principal's facts: the session must be the token's customer's,
 * the staff member or client at the token's version. The role comes from the store for staff (a demotion
 * applies at once), the scopes from both for clients (narrowing a client's scopes bumps its version).
 */
export function viewerOf(claims: AccessClaims, facts: PrincipalFacts): Viewer | null {
  switch (claims.kind) {
    case 'customer':
      if (facts.kind !== 'session' || facts.customerId !== claims.customerId) return null;
      return { role: 'CUSTOMER', customerId: claims.customerId, sessionId: claims.sessionId, authTime: claims.authTime, acr: claims.acr, amr: claims.amr };
    case 'staff':
      if (facts.kind !== 'staff' || facts.tokenVersion !== claims.tokenVersion) return null;
      return { role: facts.role, staffId: facts.staffId, mfa: claims.mfa };
    case 'client': {
      if (facts.kind !== 'client' || facts.tokenVersion !== claims.tokenVersion) return null;
      const scopes = facts.scopes.filter((s): s is Scope => (claims.scopes as readonly string[]).includes(s));
      return { role: 'SERVICE_CLIENT', id: facts.id, clientId: facts.clientId, scopes, purposeKey: facts.purposeKey };
    }
  }
}

/**
 * Turns verified token claims into the principal as it is now. From the cache when this process hears
 * every change (src/store/principal-changes.ts), so revocation still applies to the very next request;
 * otherwise with one indexed read: the customer's session active, the staff member or client enabled.
 */
export function createPrincipalLoader(services: PrincipalServices, cache?: PrincipalCache, now: () => number = Date.now) {
  return async function loadPrincipal(claims: AccessClaims): Promise<Viewer | null> {
    const [kind, key] = cacheKeyOf(claims);
    const cached = cache?.get(kind, key);
    // A session ends at its lifetime with no write for the cache to hear of: a cached one past it is read again.
    if (cached && !(cached.kind === 'session' && cached.endsAt <= now())) return viewerOf(claims, cached);
    const generation = cache?.generation() ?? 0;
    const facts = await readFacts(services, claims);
    if (!facts) return null;
    cache?.set(facts, generation);
    return viewerOf(claims, facts);
  };
}
