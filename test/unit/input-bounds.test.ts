import { describe, expect, it } from 'vitest';
import { bounds, checkAnonymousId, checkId, checkListSize, pageSize } from '../../src/domain/input-bounds.js';
import { expectBadInput } from './domain-error.js';

describe('checkListSize', () => {
  it('treats an absent list as empty', () => {
    expect(checkListSize(null, 3, 'consents')).toEqual([]);
    expect(checkListSize(undefined, 3, 'consents')).toEqual([]);
  });

  it('returns a list within the bound as it is', () => {
    const list = ['a', 'b', 'c'];
    expect(checkListSize(list, 3, 'consents')).toBe(list);
  });

  it('refuses a list over the bound, naming the field and the count', () => {
    expectBadInput(() => checkListSize(['a', 'b', 'c', 'd'], 3, 'consents'), 'consents', 'consents takes at most 3 entries, got 4.');
  });

  it('has the documented request bounds', () => {
    expect(bounds).toEqual({
      attributesPerRequest: 50,
      consentsPerRequest: 20,
      filterConditions: 10,
      anonymousIdLength: 128,
      defaultStringLength: 1000,
    });
  });
});

describe('checkAnonymousId', () => {
  const MESSAGE = 'anonymousId must be 1 to 128 characters of letters, digits and ._:-';

  it.each(['ga1.2.3456.7890', 'GA:abc-DEF.1', 'a_b', 'x', 'a'.repeat(128)])('accepts %j', (id) => {
    expect(checkAnonymousId(id)).toBe(id);
  });

  it.each(['', 'a'.repeat(129), 'a b', 'a/b', 'é', 'abc\n', '<script>'])('refuses %j', (id) => {
    expectBadInput(() => checkAnonymousId(id), 'anonymousId', MESSAGE);
  });

  it('names the field it was given', () => {
    expectBadInput(() => checkAnonymousId('', 'input.anonymousId'), 'input.anonymousId', /^input\.anonymousId must be/);
  });
});

describe('pageSize', () => {
  const limits = { default: 20, max: 100 };

  it('uses the default when first is absent', () => {
    expect(pageSize(null, limits)).toBe(20);
    expect(pageSize(undefined, limits)).toBe(20);
  });

  it.each([1, 50, 100])('takes %j', (first) => {
    expect(pageSize(first, limits)).toBe(first);
  });

  it.each([0, -1, 101, 2.5, NaN, Infinity])('refuses %j', (first) => {
    expectBadInput(() => pageSize(first, limits), 'first', 'first must be from 1 to 100.');
  });
});

describe('checkId', () => {
  it('accepts a UUID in any case and returns it lower-cased', () => {
    expect(checkId('0A1B2C3D-EEEE-4FFF-8AAA-BBBBCCCCDDDD', 'id')).toBe('0a1b2c3d-eeee-4fff-8aaa-bbbbccccdddd');
    expect(checkId('0a1b2c3d-0000-4000-8000-000000000001', 'id')).toBe('0a1b2c3d-0000-4000-8000-000000000001');
  });

  it.each([
    '',
    'abc',
    '0a1b2c3d00004000800000000000000001',
    '0a1b2c3d-0000-4000-8000-00000000000',
    '0a1b2c3d-0000-4000-8000-0000000000012',
    '{0a1b2c3d-0000-4000-8000-000000000001}',
    '0a1b2c3d-0000-4000-8000-00000000000g',
    '0a1b2c3d-0000-4000-8000-000000000001\n',
    '------------------------------------',
  ])('refuses %j, naming the field', (value) => {
    expectBadInput(() => checkId(value, 'customerId'), 'customerId', 'customerId is not a valid id.');
  });
});
