import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../src/domain/catalog/attribute.js';
import { type Customer, newCustomer } from '../../src/domain/customers/customer.js';
import { attributeList, attributeOf, MAX_ANONYMOUS_IDS, type MergeMode, planProfileChanges } from '../../src/domain/customers/profile.js';

function customer(overrides: Partial<Customer> = {}): Customer {
  const base = newCustomer({ id: '0a1b2c3d-0000-4000-8000-000000000001', email: 'ada@example.com', status: 'REGISTERED', at: new Date('2024-01-01T00:00:00Z') });
  return { ...base, emailVerified: true, ...overrides };
}

const values = (...entries: [string, AttributeValue | null][]) => new Map(entries);

const VERIFIED_PHONE = '+14155550100';
const OTHER_PHONE = '+442079460958';

describe('attributeOf', () => {
  const c = customer({ givenName: 'Ada', attributes: { company: 'AE', score: 0, vip: false } });

  it('reads built-in attributes from their columns and custom ones from the map', () => {
    expect(attributeOf(c, 'givenName')).toBe('Ada');
    expect(attributeOf(c, 'company')).toBe('AE');
  });

  it('keeps falsy values and returns null for absent ones', () => {
    expect(attributeOf(c, 'score')).toBe(0);
    expect(attributeOf(c, 'vip')).toBe(false);
    expect(attributeOf(c, 'familyName')).toBeNull();
    expect(attributeOf(c, 'birthDate')).toBeNull();
  });

  it.each(['constructor', 'toString', 'valueOf'])('returns null for %s, a valid catalog name the customer has no value for', (name) => {
    // Catalog names are /^[A-Za-z][A-Za-z0-9]{0,63}$/, so these can be defined; the map must not leak Object.prototype.
    expect(attributeOf(customer(), name)).toBeNull();
  });
});

describe('attributeList', () => {
  it('lists built-in and custom values sorted by name, skipping nulls and keeping falsy values', () => {
    const c = customer({
      givenName: 'Ada',
      locale: 'en-GB',
      phoneNumber: null,
      attributes: { company: 'AE', birthDate: '1815-12-10', vip: false, score: 0 },
    });
    expect(attributeList(c)).toEqual([
      { name: 'birthDate', value: '1815-12-10' },
      { name: 'company', value: 'AE' },
      { name: 'givenName', value: 'Ada' },
      { name: 'locale', value: 'en-GB' },
      { name: 'score', value: 0 },
      { name: 'vip', value: false },
    ]);
  });

  it('is empty for an empty profile', () => {
    expect(attributeList(customer())).toEqual([]);
  });
});

describe('planProfileChanges', () => {
  describe("mode 'fill'", () => {
    it('writes only attributes that have no value yet', () => {
      const c = customer({ givenName: 'Ada', attributes: { company: 'AE' } });
      const plan = planProfileChanges(
        c,
        values(['givenName', 'Grace'], ['familyName', 'Hopper'], ['company', 'Navy'], ['rank', 'Admiral']),
        'fill',
      );
      expect(plan).toEqual({
        changes: { familyName: 'Hopper', attributes: { company: 'AE', rank: 'Admiral' } },
        changedFields: ['familyName', 'attributes.rank'],
      });
    });

    it('never removes', () => {
      const c = customer({ givenName: 'Ada', attributes: { company: 'AE' } });
      expect(planProfileChanges(c, values(['givenName', null], ['company', null]), 'fill')).toEqual({ changes: {}, changedFields: [] });
    });

    it('fills a custom attribute named like an Object.prototype member', () => {
      const plan = planProfileChanges(customer(), values(['toString', 'x']), 'fill');
      expect(plan).toEqual({ changes: { attributes: { toString: 'x' } }, changedFields: ['attributes.toString'] });
    });
  });

  describe("mode 'merge'", () => {
    it('lets new values win and keeps the other custom attributes', () => {
      const c = customer({ givenName: 'Ada', attributes: { company: 'AE', plan: 'A' } });
      const plan = planProfileChanges(c, values(['givenName', 'Grace'], ['plan', 'B']), 'merge');
      expect(plan).toEqual({
        changes: { givenName: 'Grace', attributes: { company: 'AE', plan: 'B' } },
        changedFields: ['givenName', 'attributes.plan'],
      });
    });

    it('does not mutate the customer', () => {
      const c = customer({ attributes: { plan: 'A' }, anonymousIds: ['a1'] });
      planProfileChanges(c, values(['plan', 'B']), 'merge', 'a2');
      expect(c.attributes).toEqual({ plan: 'A' });
      expect(c.anonymousIds).toEqual(['a1']);
    });

    it('ignores null instead of removing', () => {
      const c = customer({ givenName: 'Ada', attributes: { company: 'AE' } });
      expect(planProfileChanges(c, values(['givenName', null], ['company', null]), 'merge')).toEqual({ changes: {}, changedFields: [] });
    });

    it('never overwrites a verified phone number', () => {
      const c = customer({ phoneNumber: VERIFIED_PHONE, phoneNumberVerified: true });
      expect(planProfileChanges(c, values(['phoneNumber', OTHER_PHONE]), 'merge')).toEqual({ changes: {}, changedFields: [] });
    });

    it('overwrites an unverified phone number without touching phoneNumberVerified', () => {
      const c = customer({ phoneNumber: VERIFIED_PHONE, phoneNumberVerified: false });
      const plan = planProfileChanges(c, values(['phoneNumber', OTHER_PHONE]), 'merge');
      expect(plan.changes).toStrictEqual({ phoneNumber: OTHER_PHONE });
      expect(plan.changedFields).toEqual(['phoneNumber']);
    });
  });

  describe("mode 'replace'", () => {
    it('changes a verified phone number and clears its verification', () => {
      const c = customer({ phoneNumber: VERIFIED_PHONE, phoneNumberVerified: true });
      expect(planProfileChanges(c, values(['phoneNumber', OTHER_PHONE]), 'replace')).toEqual({
        changes: { phoneNumber: OTHER_PHONE, phoneNumberVerified: false },
        changedFields: ['phoneNumber'],
      });
    });

    it('removes a verified phone number and clears its verification', () => {
      const c = customer({ phoneNumber: VERIFIED_PHONE, phoneNumberVerified: true });
      expect(planProfileChanges(c, values(['phoneNumber', null]), 'replace').changes).toStrictEqual({
        phoneNumber: null,
        phoneNumberVerified: false,
      });
    });

    it('keeps the verification when the verified number is sent again unchanged', () => {
      const c = customer({ phoneNumber: VERIFIED_PHONE, phoneNumberVerified: true });
      expect(planProfileChanges(c, values(['phoneNumber', VERIFIED_PHONE]), 'replace')).toEqual({ changes: {}, changedFields: [] });
    });

    it('removes built-in and custom attributes with null', () => {
      const c = customer({ givenName: 'Ada', attributes: { company: 'AE', plan: 'A' } });
      expect(planProfileChanges(c, values(['givenName', null], ['company', null]), 'replace')).toEqual({
        changes: { givenName: null, attributes: { plan: 'A' } },
        changedFields: ['givenName', 'attributes.company'],
      });
    });

    it('plans nothing for removing what is already absent', () => {
      expect(planProfileChanges(customer(), values(['givenName', null], ['company', null]), 'replace')).toEqual({
        changes: {},
        changedFields: [],
      });
    });
  });

  it.each<MergeMode>(['fill', 'merge', 'replace'])("plans nothing for unchanged values in mode '%s'", (mode) => {
    const c = customer({ givenName: 'Ada', locale: 'en-GB', attributes: { score: 3, vip: false } });
    const plan = planProfileChanges(c, values(['givenName', 'Ada'], ['locale', 'en-GB'], ['score', 3], ['vip', false]), mode);
    expect(plan).toEqual({ changes: {}, changedFields: [] });
  });

  describe('anonymous ids', () => {
    it('appends a new id once, after the attribute fields', () => {
      const c = customer({ anonymousIds: ['a1'] });
      expect(planProfileChanges(c, values(['givenName', 'Ada']), 'merge', 'a2')).toEqual({
        changes: { givenName: 'Ada', anonymousIds: ['a1', 'a2'] },
        changedFields: ['givenName', 'anonymousIds'],
      });
    });

    it('plans nothing for an id already linked', () => {
      const c = customer({ anonymousIds: ['a1', 'a2'] });
      expect(planProfileChanges(c, values(), 'fill', 'a1')).toEqual({ changes: {}, changedFields: [] });
    });

    it.each([null, undefined, ''])('plans nothing for the anonymous id %j', (anonymousId) => {
      expect(planProfileChanges(customer(), values(), 'merge', anonymousId)).toEqual({ changes: {}, changedFields: [] });
    });

    it(`keeps the newest ${MAX_ANONYMOUS_IDS} ids`, () => {
      expect(MAX_ANONYMOUS_IDS).toBe(50);
      const full = Array.from({ length: MAX_ANONYMOUS_IDS }, (_, i) => `id${i}`);
      const plan = planProfileChanges(customer({ anonymousIds: full }), values(), 'fill', 'newest');
      expect(plan.changes.anonymousIds).toEqual([...full.slice(1), 'newest']);
      expect(plan.changedFields).toEqual(['anonymousIds']);
    });
  });
});
