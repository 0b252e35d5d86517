import { describe, expect, it } from 'vitest';
import { matches } from '../../src/domain/scim/filter-eval.js';
import { compileFilter } from '../../src/domain/scim/filter.js';
import { parseFilter } from '../../src/domain/scim/filter-parser.js';
import { ScimError } from '../../src/domain/scim/scim-error.js';
import { RFC_FILTERS } from '../scim/rfc-filters.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';


const user = (fields: Record<string, unknown>) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'x', ...fields });
const modified = (iso: string) => ({ meta: { resourceType: 'User', lastModified: iso } });

describe('the filter parser', () => {
  it('parses every RFC 7644 example', () => {
    for (const filter of RFC_FILTERS) expect(() => compileFilter(filter), filter).not.toThrow();
  });

  it('gives "and" precedence over "or", and parentheses over both', () => {
    expect(parseFilter('a pr or b pr and c pr')).toEqual({
      kind: 'or',
      left: { kind: 'present', path: { uri: null, name: 'a', sub: null } },
      right: { kind: 'and', left: { kind: 'present', path: { uri: null, name: 'b', sub: null } }, right: { kind: 'present', path: { uri: null, name: 'c', sub: null } } },
    });
    expect(parseFilter('(a pr or b pr) and c pr').kind).toBe('and');
  });

  it('reads operators, logical words and literals in any case, and JSON strings with escapes', () => {
    expect(parseFilter('userName EQ "a\\"b" AND active Eq TRUE')).toEqual({
      kind: 'and',
      left: { kind: 'compare', path: { uri: null, name: 'userName', sub: null }, op: 'eq', value: 'a"b' },
      right: { kind: 'compare', path: { uri: null, name: 'active', sub: null }, op: 'eq', value: true },
    });
    expect(parseFilter('x eq null')).toMatchObject({ value: null });
    expect(parseFilter('x gt 1.5e3')).toMatchObject({ value: 1500 });
  });

  it('splits URN prefixes and sub-attributes', () => {
    expect(parseFilter(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toMatchObject({
      path: { uri: ENTERPRISE, name: 'manager', sub: 'value' },
    });
  });

  it('bounds the nesting and the number of conditions', () => {
    expect(() => compileFilter(`${'('.repeat(16)}title pr${')'.repeat(16)}`)).not.toThrow();
    expect(() => compileFilter(`${'('.repeat(17)}title pr${')'.repeat(17)}`)).toThrow(/deeper than 16/);
    expect(() => compileFilter(Array.from({ length: 64 }, () => 'title pr').join(' or '))).not.toThrow();
    expect(() => compileFilter(Array.from({ length: 65 }, () => 'title pr').join(' or '))).toThrow(/more than 64 conditions/);
  });

  it.each([
    ['', 'empty'],
    ['userName', 'no operator'],
    ['userName eq', 'no value'],
    ['userName eq bjensen', 'unquoted string'],
    ['userName like "x"', 'unknown operator'],
    ['userName eq "x', 'unclosed string'],
    ['(userName eq "x"', 'unclosed parenthesis'],
    ['userName eq "x")', 'stray parenthesis'],
    ['not userName eq "x"', 'not without parentheses'],
    ['userName eq "x" and', 'dangling and'],
    ['emails[type eq "work"', 'unclosed bracket'],
    ['emails[type eq "work" and ims[type eq "x"]]', 'nested value filter'],
    ['a.b.c pr', 'sub-sub-attribute'],
    ['noSuchAttribute eq "x"', 'unknown attribute'],
    ['name.noSuch eq "x"', 'unknown sub-attribute'],
    ['urn:example:other:1.0:User:userName eq "x"', 'unknown schema'],
    ['name eq "x"', 'complex compared without a sub-attribute'],
    ['active gt true', 'ordering a boolean'],
    ['active eq "true"', 'a boolean compared with a string'],
    ['meta.lastModified gt "yesterday"', 'a dateTime compared with a non-date'],
    ['userName gt 3', 'a string compared with a number'],
    ['userName[value eq "x"]', 'a value filter on a single-valued attribute'],
    ['emails[nosuch eq "x"]', 'an unknown sub-attribute in brackets'],
    ['meta.location eq "https://example.com/v2/Users/x"', 'the location, which depends on the URL asked'],
  ])('refuses %j (%s) with invalidFilter', (filter) => {
    try {
      compileFilter(filter);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScimError);
      expect(error).toMatchObject({ scimType: 'invalidFilter' });
    }
  });
});

describe('filter semantics', () => {
  const check = (filter: string, resource: Record<string, unknown>) => matches(compileFilter(filter), resource);

  it('compares userName, emails and other caseExact=false attributes case-insensitively', () => {
    const u = user({ userName: 'BJensen@Example.com', emails: [{ value: 'BJensen@Example.com', type: 'work' }] });
    expect(check('userName eq "bjensen@example.com"', u)).toBe(true);
    expect(check('USERNAME Eq "BJENSEN@EXAMPLE.COM"', u)).toBe(true);
    expect(check('emails co "EXAMPLE.COM"', u)).toBe(true);
    expect(check('userName sw "bj"', u)).toBe(true);
    expect(check('userName ew ".COM"', u)).toBe(true);
  });

  it('compares caseExact attributes exactly (id, externalId)', () => {
    const u = user({ externalId: 'BJensen' });
    expect(check('externalId eq "BJensen"', u)).toBe(true);
    expect(check('externalId eq "bjensen"', u)).toBe(false);
  });

  it('reads URN-prefixed core and extension attributes', () => {
    const u = user({ userName: 'jane@example.com', [ENTERPRISE]: { employeeNumber: '701984', manager: { value: 'm1' } } });
    expect(check('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', u)).toBe(true);
    expect(check(`${ENTERPRISE}:employeeNumber eq "701984"`, u)).toBe(true);
    expect(check(`${ENTERPRISE}:manager.value eq "m1"`, u)).toBe(true);
  });

  it('orders dateTimes as instants', () => {
    const at = user(modified('2011-05-13T04:42:34Z'));
    expect(check('meta.lastModified gt "2011-05-13T04:42:34Z"', at)).toBe(false);
    expect(check('meta.lastModified ge "2011-05-13T04:42:34Z"', at)).toBe(true);
    expect(check('meta.lastModified le "2011-05-13T06:42:34+02:00"', at)).toBe(true);
    expect(check('meta.lastModified lt "2011-05-13T06:42:34+02:00"', at)).toBe(false);
    expect(check('meta.lastModified gt "2011-05-13T04:42:33.999Z"', at)).toBe(true);
  });

  it('applies the RFC examples as the RFC describes them', () => {
    const employee = user({ title: 'Tour Guide', userType: 'Employee', emails: [{ value: 'a@example.com', type: 'work' }] });
    const intern = user({ userType: 'Intern', emails: [{ value: 'b@example.org', type: 'home' }], ims: [{ value: 'b@foo.com', type: 'xmpp' }] });
    const other = user({ userType: 'Contractor', emails: [{ value: 'c@other.net', type: 'work' }] });
    const all = { employee, intern, other };
    const matching = (filter: string) => Object.entries(all).filter(([, u]) => check(filter, u)).map(([name]) => name);
    expect(matching('title pr')).toEqual(['employee']);
    expect(matching('title pr and userType eq "Employee"')).toEqual(['employee']);
    expect(matching('title pr or userType eq "Intern"')).toEqual(['employee', 'intern']);
    expect(matching('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")')).toEqual(['employee']);
    expect(matching('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toEqual(['other']);
    expect(matching('userType eq "Employee" and (emails.type eq "work")')).toEqual(['employee']);
    expect(matching('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]')).toEqual(['employee']);
    expect(matching('emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]')).toEqual(['employee', 'intern']);
  });

  it('matches a value filter only when one value satisfies every condition', () => {
    // The work address is at example.org, the example.com one is home: no single email matches both.
    const u = user({ emails: [{ value: 'a@example.org', type: 'work' }, { value: 'a@example.com', type: 'home' }] });
    expect(check('emails[type eq "work" and value co "@example.com"]', u)).toBe(false);
    expect(check('emails.type eq "work" and emails.value co "@example.com"', u)).toBe(true);
  });

  it('treats absent values: pr false, ne true, eq null true', () => {
    const u = user({ userName: 'x@example.com' });
    expect(check('title pr', u)).toBe(false);
    expect(check('title ne "Boss"', u)).toBe(true);
    expect(check('title eq null', u)).toBe(true);
    expect(check('not (title eq "Boss")', u)).toBe(true);
    expect(check('emails pr', user({ emails: [] }))).toBe(false);
  });

  it('matches schemas against the resource schemas', () => {
    expect(check(`schemas eq "${ENTERPRISE}"`, user({}))).toBe(false);
    expect(check(`schemas eq "${ENTERPRISE}"`, { ...user({}), schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE] })).toBe(true);
  });
});
