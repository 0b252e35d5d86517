import { describe, expect, it } from 'vitest';
import type { AttributeConstraints, AttributeDefinition, AttributeType } from '../../src/domain/catalog/attribute.js';
import { validateAttributeValue, validateDefinition } from '../../src/domain/catalog/attribute-rules.js';
import { expectBadInput } from './domain-error.js';

const FIELD = 'attributes.x';

function def(type: AttributeType, constraints: AttributeConstraints = {}): AttributeDefinition {
  const at = new Date('2024-01-01T00:00:00Z');
  return { name: 'x', type, description: '', personalData: false, builtin: false, constraints, createdAt: at, updatedAt: at };
}

const check = (type: AttributeType, value: unknown, constraints: AttributeConstraints = {}) =>
  validateAttributeValue(def(type, constraints), value, FIELD);

const refused = (type: AttributeType, value: unknown, expected: string, constraints: AttributeConstraints = {}) =>
  expectBadInput(() => check(type, value, constraints), FIELD, `${FIELD} must be ${expected}.`);

describe('validateAttributeValue: STRING', () => {
  it('trims and returns the text', () => {
    expect(check('STRING', '  Ada \n')).toBe('Ada');
  });

  it.each([42, true, null, undefined, ['a']])('refuses the non-string %j', (value) => {
    refused('STRING', value, 'a string');
  });

  it.each(['', '   ', '\t\n'])('refuses the blank string %j', (value) => {
    refused('STRING', value, 'a non-empty string');
  });

  it('defaults maxLength to 1000 characters, counted after trimming', () => {
    expect(check('STRING', ` ${'a'.repeat(1000)} `)).toBe('a'.repeat(1000));
    refused('STRING', 'a'.repeat(1001), 'at most 1000 characters');
  });

  it('counts maxLength in code points, so an emoji counts once', () => {
    expect(check('STRING', '👍👍👍', { maxLength: 3 })).toBe('👍👍👍');
    refused('STRING', '👍👍👍👍', 'at most 3 characters', { maxLength: 3 });
    // A skin-tone emoji is two code points.
    refused('STRING', '👍🏽', 'at most 1 characters', { maxLength: 1 });
  });

  it('accepts only allowed values, compared after trimming and case-sensitively', () => {
    const c = { allowedValues: ['gold', 'silver'] };
    expect(check('STRING', ' gold ', c)).toBe('gold');
    refused('STRING', 'Gold', 'one of gold, silver', c);
    refused('STRING', 'bronze', 'one of gold, silver', c);
  });

  it('requires the pattern to match the whole trimmed value', () => {
    const c = { pattern: '[a-z]+' };
    expect(check('STRING', ' abc ', c)).toBe('abc');
    refused('STRING', 'abc1', 'text matching [a-z]+', c);
    refused('STRING', '1abc', 'text matching [a-z]+', c);
  });

  it('anchors every branch of an alternation, not just the first and last', () => {
    const c = { pattern: 'a|b' };
    expect(check('STRING', 'b', c)).toBe('b');
    refused('STRING', 'ab', 'text matching a|b', c);
    refused('STRING', 'ba', 'text matching a|b', c);
  });

  it('applies the pattern with the u flag (Unicode property escapes work)', () => {
    const c = { pattern: '\\p{Lu}\\p{Ll}+' };
    expect(check('STRING', 'Émile', c)).toBe('Émile');
    refused('STRING', 'émile', 'text matching \\p{Lu}\\p{Ll}+', c);
  });
});

describe('validateAttributeValue: INTEGER and NUMBER', () => {
  it('accepts whole numbers as INTEGER and fractions as NUMBER', () => {
    expect(check('INTEGER', 42)).toBe(42);
    expect(check('INTEGER', -7)).toBe(-7);
    expect(check('NUMBER', 4.5)).toBe(4.5);
  });

  it('refuses fractions and unsafe integers as INTEGER', () => {
    refused('INTEGER', 4.5, 'a whole number');
    refused('INTEGER', 2 ** 53, 'a whole number');
  });

  it.each(['42', NaN, Infinity, -Infinity, true, null])('refuses %j as a number', (value) => {
    refused('INTEGER', value, 'a number');
    refused('NUMBER', value, 'a number');
  });

  it('applies minimum and maximum inclusively', () => {
    const c = { minimum: 0, maximum: 150 };
    expect(check('INTEGER', 0, c)).toBe(0);
    expect(check('INTEGER', 150, c)).toBe(150);
    refused('INTEGER', -1, 'at least 0', c);
    refused('INTEGER', 151, 'at most 150', c);
  });

  it('compares fractional bounds exactly for NUMBER', () => {
    const c = { minimum: 0.5, maximum: 1.5 };
    expect(check('NUMBER', 0.5, c)).toBe(0.5);
    refused('NUMBER', 0.49, 'at least 0.5', c);
    refused('NUMBER', 1.51, 'at most 1.5', c);
  });
});

describe('validateAttributeValue: BOOLEAN', () => {
  it('accepts true and false', () => {
    expect(check('BOOLEAN', true)).toBe(true);
    expect(check('BOOLEAN', false)).toBe(false);
  });

  it.each(['true', 1, 0, null])('refuses %j', (value) => {
    refused('BOOLEAN', value, 'true or false');
  });
});

describe('validateAttributeValue: DATE', () => {
  it.each(['2024-02-29', '2000-02-29', '1815-12-10', '2026-12-31'])('accepts the real date %s', (value) => {
    expect(check('DATE', value)).toBe(value);
  });

  it.each(['2023-02-29', '1900-02-29', '1990-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00'])(
    'refuses %s, which is not on the calendar',
    (value) => {
      refused('DATE', value, 'a real calendar date as YYYY-MM-DD');
    },
  );

  it.each(['2026-1-05', '2026-01-05T00:00:00Z', ' 2026-01-05', '05/01/2026', '', 20260105, null])(
    'refuses %j, which is not YYYY-MM-DD',
    (value) => {
      refused('DATE', value, 'a date as YYYY-MM-DD');
    },
  );

  it('accepts dates in the years 0000 to 0099 (proleptic Gregorian)', () => {
    // Date.UTC maps years 0..99 to 1900..1999, so these are compared against the wrong year.
    expect(check('DATE', '0099-12-31')).toBe('0099-12-31');
  });
});

describe('validateAttributeValue: PHONE_NUMBER', () => {
  it.each([
    ['+1 (415) 555-0100', '+14155550100'],
    ['+44 20-7946.0958', '+442079460958'],
    ['+14155550100', '+14155550100'],
    ['+12345678', '+12345678'],
    ['+123456789012345', '+123456789012345'],
  ])('compacts %j to %j', (value, canonical) => {
    expect(check('PHONE_NUMBER', value)).toBe(canonical);
  });

  it.each([
    '+1234567', // 7 digits: too short
    '+1234567890123456', // 16 digits: too long
    '+0441234567', // no country code starts with 0
    '14155550100', // no plus
    '0044 20 7946 0958',
    '+1 415 555 CALL',
    '+1/415/5550100',
    '',
    14155550100,
  ])('refuses %j', (value) => {
    refused('PHONE_NUMBER', value, 'a phone number in E.164 form such as +14155550100');
  });
});

describe('validateAttributeValue: LOCALE', () => {
  it.each([
    ['en-gb', 'en-GB'],
    ['EN-latn-us', 'en-Latn-US'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    ['en', 'en'],
  ])('canonicalises %j to %j', (value, canonical) => {
    expect(check('LOCALE', value)).toBe(canonical);
  });

  it.each(['en_GB', '', 'e', 'x-private', 'english please', ' en-GB', 42])('refuses %j', (value) => {
    refused('LOCALE', value, 'a BCP 47 language tag such as en-GB');
  });

  it('refuses a valid tag longer than 35 characters', () => {
    const tag = 'en-US-u-ca-gregory-nu-latn-hc-h23-fw-mon';
    expect(Intl.getCanonicalLocales(tag)).toHaveLength(1);
    refused('LOCALE', tag, 'a BCP 47 language tag such as en-GB');
  });
});

describe('validateDefinition', () => {
  it('accepts a well-formed definition for each kind of constraint', () => {
    expect(() => validateDefinition({ name: 'loyaltyTier', type: 'STRING', allowedValues: ['gold'], maxLength: 10 })).not.toThrow();
    expect(() => validateDefinition({ name: 'age', type: 'INTEGER', minimum: 0, maximum: 0 })).not.toThrow();
    expect(() => validateDefinition({ name: 'score', type: 'NUMBER', minimum: -1.5 })).not.toThrow();
    expect(() => validateDefinition({ name: 'optIn', type: 'BOOLEAN', maxLength: null, pattern: null, minimum: null })).not.toThrow();
  });

  it.each(['', '1abc', 'has_underscore', 'with-dash', 'Ümlaut', 'a'.repeat(65)])('refuses the name %j', (name) => {
    expectBadInput(() => validateDefinition({ name, type: 'STRING' }), 'name');
  });

  it('accepts a 64-character name', () => {
    expect(() => validateDefinition({ name: `a${'B1'.repeat(31)}a`, type: 'STRING' })).not.toThrow();
  });

  it('refuses an unknown type', () => {
    expectBadInput(() => validateDefinition({ name: 'x', type: 'TEXT' }), 'type', 'type is not an attribute type.');
  });

  it.each([
    { type: 'INTEGER', maxLength: 10 },
    { type: 'BOOLEAN', pattern: 'a' },
    { type: 'DATE', allowedValues: ['2024-01-01'] },
  ])('refuses text constraints on $type', (input) => {
    expectBadInput(() => validateDefinition({ name: 'x', ...input }), 'type', /STRING attributes only/);
  });

  it.each([
    { type: 'STRING', minimum: 1 },
    { type: 'LOCALE', maximum: 1 },
  ])('refuses number constraints on $type', (input) => {
    expectBadInput(() => validateDefinition({ name: 'x', ...input }), 'type', /INTEGER and NUMBER attributes only/);
  });

  it.each([0, 10_001, 1.5, -1])('refuses maxLength %j', (maxLength) => {
    expectBadInput(() => validateDefinition({ name: 'x', type: 'STRING', maxLength }), 'maxLength');
  });

  it.each([1, 10_000])('accepts maxLength %j', (maxLength) => {
    expect(() => validateDefinition({ name: 'x', type: 'STRING', maxLength })).not.toThrow();
  });

  it('refuses a minimum above the maximum', () => {
    expectBadInput(() => validateDefinition({ name: 'x', type: 'NUMBER', minimum: 2, maximum: 1 }), 'minimum');
  });

  it.each(['(', '[a-', '\\q', 'a{2,1}'])('refuses the invalid (under the u flag) pattern %j', (pattern) => {
    expectBadInput(() => validateDefinition({ name: 'x', type: 'STRING', pattern }), 'pattern', 'pattern is not a valid regular expression.');
  });

  it('takes patterns of up to 500 characters', () => {
    expect(() => validateDefinition({ name: 'x', type: 'STRING', pattern: 'a'.repeat(500) })).not.toThrow();
    expectBadInput(
      () => validateDefinition({ name: 'x', type: 'STRING', pattern: 'a'.repeat(501) }),
      'pattern',
      'pattern takes at most 500 characters.',
    );
  });

  it('takes 1 to 100 allowed values', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    expect(() => validateDefinition({ name: 'x', type: 'STRING', allowedValues: values(100) })).not.toThrow();
    expectBadInput(() => validateDefinition({ name: 'x', type: 'STRING', allowedValues: [] }), 'allowedValues', /1 to 100 values/);
    expectBadInput(() => validateDefinition({ name: 'x', type: 'STRING', allowedValues: values(101) }), 'allowedValues', /1 to 100 values/);
  });

  it('takes allowed values of 1 to 200 characters', () => {
    expect(() => validateDefinition({ name: 'x', type: 'STRING', allowedValues: ['a'.repeat(200)] })).not.toThrow();
    expectBadInput(() => validateDefinition({ name: 'x', type: 'STRING', allowedValues: ['ok', ''] }), 'allowedValues', /1 to 200 characters/);
    expectBadInput(() => validateDefinition({ name: 'x', type: 'STRING', allowedValues: ['a'.repeat(201)] }), 'allowedValues', /1 to 200 characters/);
  });
});
