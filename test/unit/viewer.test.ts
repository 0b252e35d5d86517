import { describe, expect, it } from 'vitest';
import { actorOf, createViewerResolver, underStaffMfaPolicy } from '../../src/auth/viewer.js';
import { expectDomainError } from './domain-error.js';

const BAD_FORMAT = 'The Authorization header must be "Bearer <token>".';
const BAD_TOKEN = 'The bearer token is not valid.';

const refusedAs = (message: string) => ({ code: 'UNAUTHENTICATED' as const, field: undefined, message });

const TOKEN = 'aaaa.bbbb.cccc';
const customerClaims = { kind: 'customer' as const, customerId: 'c1', sessionId: 's1', authTime: new Date(0), acr: 'pwd', amr: ['pwd'] };

describe('createViewerResolver', () => {
  const resolve = createViewerResolver({
    verifyAccessToken: async (token) => {
      if (token !== TOKEN) throw new Error('bad signature');
      return customerClaims;
    },
    loadPrincipal: async (claims) => (claims.kind === 'customer' ? { role: 'CUSTOMER', ...customerClaims } : null),
  });

  it('serves a request with no header as PUBLIC', () => {
    expect(resolve(undefined)).toEqual({ role: 'PUBLIC' });
  });

  it('refuses an empty header rather than serving it as PUBLIC', () => {
    expectDomainError(() => resolve(''), refusedAs(BAD_FORMAT));
  });

  it('serves a verified token as the principal it names, reading the scheme case-insensitively (RFC 7235)', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect(await resolve(`${scheme} ${TOKEN}`)).toMatchObject({ role: 'CUSTOMER', customerId: 'c1' });
    }
  });

  it('refuses a token that does not verify, and one whose principal is gone', async () => {
    await expect(resolve('Bearer aaaa.bbbb.dddd')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const revoked = createViewerResolver({ verifyAccessToken: async () => customerClaims, loadPrincipal: async () => null });
    await expect(revoked(`Bearer ${TOKEN}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/revoked/) });
  });

  it.each([
    ['an opaque token', 'Bearer not-a-jwt'],
    ['a JWT with four parts', 'Bearer a.b.c.d'],
  ])('refuses %s as not valid', (_, header) => {
    expectDomainError(() => resolve(header), refusedAs(BAD_TOKEN));
  });

  it.each([
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['the bare token', TOKEN],
    ['Bearer with no token', 'Bearer'],
    ['Bearer and a space', 'Bearer '],
    ['two spaces', `Bearer  ${TOKEN}`],
    ['a token with a space', `Bearer ${TOKEN} extra`],
    ['a tab', `Bearer\t${TOKEN}`],
    ['a trailing newline', `Bearer ${TOKEN}\n`],
    ['a NUL byte', `Bearer ${TOKEN}\u0000`],
    ['a DEL character', `Bearer ${TOKEN}\u007f`],
    ['a non-ASCII token', 'Bearer clé.secrète.jwt'],
    ['a header over 4096 characters', `Bearer ${'a'.repeat(4097)}`],
  ])('refuses %s as malformed', (_, header) => {
    expectDomainError(() => resolve(header), refusedAs(BAD_FORMAT));
  });
});

describe('actorOf', () => {
  it('maps each viewer to its actor', () => {
    expect(actorOf({ role: 'PUBLIC' })).toEqual({ kind: 'public' });
    expect(actorOf({ role: 'ADMIN', staffId: 's', mfa: false })).toEqual({ kind: 'staff', id: 's', role: 'ADMIN' });
    expect(actorOf({ role: 'AGENT', staffId: 's', mfa: false })).toEqual({ kind: 'staff', id: 's', role: 'AGENT' });
    expect(actorOf({ role: 'SERVICE_CLIENT', id: 'u', clientId: 'kc_x', scopes: [], purposeKey: null })).toEqual({ kind: 'client', id: 'kc_x' });
    expect(actorOf({ role: 'CUSTOMER', ...customerClaims })).toEqual({ kind: 'customer', id: 'c1' });
  });
});

describe('underStaffMfaPolicy', () => {
  const admin = { role: 'ADMIN', staffId: 's', mfa: false } as const;
  it('serves a staff token without a TOTP proof as the public when KITH_STAFF_MFA=required, and nothing else', () => {
    expect(underStaffMfaPolicy(admin, true)).toEqual({ viewer: { role: 'PUBLIC' }, staffWithoutTotp: 's' });
    expect(underStaffMfaPolicy({ ...admin, role: 'AGENT' }, true)).toEqual({ viewer: { role: 'PUBLIC' }, staffWithoutTotp: 's' });
    expect(underStaffMfaPolicy({ ...admin, mfa: true }, true)).toEqual({ viewer: { ...admin, mfa: true } });
    expect(underStaffMfaPolicy(admin, false)).toEqual({ viewer: admin });
    const customer = { role: 'CUSTOMER', customerId: 'c', sessionId: 'x', authTime: new Date(0), acr: 'pwd', amr: ['pwd'] } as const;
    expect(underStaffMfaPolicy({ ...customer, amr: ['pwd'] }, true)).toEqual({ viewer: { ...customer, amr: ['pwd'] } });
  });
});
