import { describe, expect, it } from 'vitest';
import { actorOf, createViewerResolver } from '../../src/auth/viewer.js';
import { expectDomainError } from './domain-error.js';

const KEY = 'k3y-0f-the-0perator-with-32-chars!';
const BAD_FORMAT = 'The Authorization header must be "Bearer <token>".';
const BAD_TOKEN = 'The bearer token is not valid.';

const refusedAs = (message: string) => ({ code: 'UNAUTHENTICATED' as const, field: undefined, message });

describe('createViewerResolver with an operator key', () => {
  const resolve = createViewerResolver({ operatorKey: KEY });

  it('serves a request with no header as PUBLIC', () => {
    expect(resolve(undefined)).toEqual({ role: 'PUBLIC' });
  });

  it('refuses an empty header rather than serving it as PUBLIC', () => {
    expectDomainError(() => resolve(''), refusedAs(BAD_FORMAT));
  });

  it('serves the operator key as OPERATOR', () => {
    expect(resolve(`Bearer ${KEY}`)).toEqual({ role: 'OPERATOR' });
  });

  it('reads the scheme name case-insensitively (RFC 7235), never the token', () => {
    expect(resolve(`bearer ${KEY}`)).toEqual({ role: 'OPERATOR' });
    expect(resolve(`BEARER ${KEY}`)).toEqual({ role: 'OPERATOR' });
  });

  it.each([
    ['another token', 'Bearer not-the-key'],
    ['the key with a suffix', `Bearer ${KEY}x`],
    ['the key without its last character', `Bearer ${KEY.slice(0, -1)}`],
    ['the key in another case', `Bearer ${KEY.toUpperCase()}`],
  ])('refuses %s as not valid', (_, header) => {
    expectDomainError(() => resolve(header), refusedAs(BAD_TOKEN));
  });

  it.each([
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['the bare key', KEY],
    ['Bearer with no token', 'Bearer'],
    ['Bearer and a space', 'Bearer '],
    ['two spaces', `Bearer  ${KEY}`],
    ['a token with a space', `Bearer ${KEY} extra`],
    ['a tab', `Bearer\t${KEY}`],
    ['a trailing newline', `Bearer ${KEY}\n`],
    ['a NUL byte', `Bearer ${KEY}\u0000`],
    ['a DEL character', `Bearer ${KEY}\u007f`],
    ['a non-ASCII token', 'Bearer clé-secrète-of-thirty-two-chars'],
  ])('refuses %s as malformed', (_, header) => {
    expectDomainError(() => resolve(header), refusedAs(BAD_FORMAT));
  });

  it('takes operator keys of up to 512 characters and headers of up to 4096', () => {
    const long = 'a'.repeat(512);
    expect(createViewerResolver({ operatorKey: long })(`Bearer ${long}`)).toEqual({ role: 'OPERATOR' });
    const longer = 'a'.repeat(513);
    expectDomainError(() => createViewerResolver({ operatorKey: longer })(`Bearer ${longer}`), refusedAs(BAD_TOKEN));
    expectDomainError(() => createViewerResolver({ operatorKey: long })(`Bearer ${'a'.repeat(4097)}`), refusedAs(BAD_FORMAT));
  });
});

describe('createViewerResolver without an operator key', () => {
  it.each([null, ''])('refuses every bearer token when the key is %j', (operatorKey) => {
    const resolve = createViewerResolver({ operatorKey });
    expect(resolve(undefined)).toEqual({ role: 'PUBLIC' });
    expectDomainError(() => resolve(`Bearer ${KEY}`), refusedAs(BAD_TOKEN));
    expectDomainError(() => resolve('Bearer null'), refusedAs(BAD_TOKEN));
  });
});

describe('actorOf', () => {
  it('maps each viewer to its actor', () => {
    expect(actorOf({ role: 'OPERATOR' })).toEqual({ kind: 'operator' });
    expect(actorOf({ role: 'PUBLIC' })).toEqual({ kind: 'public' });
  });
});
