import type { Services } from '../domain/services.js';
import type { AccessClaims } from './access-tokens.js';
import type { Viewer } from './viewer.js';

/**
 * Turns verified token claims into the principal as it is now, with one indexed read: the customer's
 * session must be active, the staff member or client enabled and at the token's version. The role and
 * scopes come from the store for staff (a demotion applies at once) and from the token for clients
 * (narrowing a client's scopes bumps its version).
 */
export function createPrincipalLoader(services: Pick<Services, 'sessions' | 'staff' | 'clients'>) {
  return async function loadPrincipal(claims: AccessClaims): Promise<Viewer | null> {
    switch (claims.kind) {
      case 'customer': {
        const session = await services.sessions.findActive(claims.sessionId);
        if (session?.customerId !== claims.customerId) return null;
        return { role: 'CUSTOMER', customerId: claims.customerId, sessionId: claims.sessionId, authTime: claims.authTime, acr: claims.acr, amr: claims.amr };
      }
      case 'staff': {
        const member = await services.staff.findById(claims.staffId);
        if (!member || member.disabledAt || member.tokenVersion !== claims.tokenVersion) return null;
        return { role: member.role, staffId: member.id };
      }
      case 'client': {
        const client = await services.clients.findByClientId(claims.clientId);
        if (!client || client.disabledAt || client.tokenVersion !== claims.tokenVersion) return null;
        const scopes = client.scopes.filter((s) => claims.scopes.includes(s));
        return { role: 'SERVICE_CLIENT', id: client.id, clientId: client.clientId, scopes, purposeKey: client.purposeKey };
      }
    }
  };
}
