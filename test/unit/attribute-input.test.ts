import { describe, expect, it } from 'vitest';
import type { AttributeConstraints, AttributeDefinition, AttributeType } from '../../src/domain/catalog/attribute.js';
import { type AttributeInput, validateAttributeInputs } from '../../src/domain/catalog/attribute-input.js';
import { expectBadInput } from './domain-error.js';

function def(name: string, type: AttributeType, constraints: AttributeConstraints = {}, builtin = false): AttributeDefinition {
  const at = new Date('2024-01-01T00:00:00Z');
  return { name, type, description: '', personalData: true, builtin, constraints, createdAt: at, updatedAt: at };
}

const catalog: AttributeDefinition[] = [
  def('givenName', 'STRING', {}, true),
  def('locale', 'LOCALE', {}, true),
  def('phoneNumber', 'PHONE_NUMBER', {}, true),
  def('birthDate', 'DATE'),
  def('age', 'INTEGER', { minimum: 0 }),
  def('company', 'STRING', { maxLength: 20 }),
  def('newsletter', 'BOOLEAN'),
];

const KEEP = { allowRemoval: false };
const REMOVE = { allowRemoval: true };

describe('validateAttributeInputs', () => {
  it('returns canonical values by name, in input order', () => {
    const result = validateAttributeInputs(
      catalog,
      [
        { name: 'givenName', value: '  Ada ' },
        { name: 'locale', value: 'en-gb' },
        { name: 'phoneNumber', value: '+44 20 7946 0958' },
        { name: 'age', value: 36 },
        { name: 'newsletter', value: false },
      ],
      KEEP,
    );
    expect([...result]).toEqual([
      ['givenName', 'Ada'],
      ['locale', 'en-GB'],
      ['phoneNumber', '+442079460958'],
      ['age', 36],
      ['newsletter', false],
    ]);
  });

  it.each([null, undefined, []])('returns an empty map for %j', (inputs) => {
    expect(validateAttributeInputs(catalog, inputs, KEEP).size).toBe(0);
  });

  it('refuses a name that is not in the catalog, naming it', () => {
    expectBadInput(
      () => validateAttributeInputs(catalog, [{ name: 'shoeSize', value: 42 }], KEEP),
      'attributes.shoeSize',
      'attributes.shoeSize is not in the attribute catalog; see attributeDefinitions.',
    );
  });

  it('looks names up in the catalog only, not on Object.prototype', () => {
    expectBadInput(() => validateAttributeInputs(catalog, [{ name: 'toString', value: 'x' }], KEEP), 'attributes.toString', /not in the attribute catalog/);
  });

  it('refuses a name given twice, even with the same value', () => {
    expectBadInput(
      () =>
        validateAttributeInputs(
          catalog,
          [
            { name: 'company', value: 'Analytical Engines' },
            { name: 'company', value: 'Analytical Engines' },
          ],
          KEEP,
        ),
      'attributes.company',
      'attributes.company is given twice.',
    );
  });

  it('refuses a name given twice when the first is a removal', () => {
    expectBadInput(
      () =>
        validateAttributeInputs(
          catalog,
          [
            { name: 'company', value: null },
            { name: 'company', value: 'Analytical Engines' },
          ],
          REMOVE,
        ),
      'attributes.company',
      /given twice/,
    );
  });

  it.each<AttributeInput>([{ name: 'company', value: null }, { name: 'company' }])(
    'refuses a missing value when removal is not allowed: %j',
    (input) => {
      expectBadInput(() => validateAttributeInputs(catalog, [input], KEEP), 'attributes.company', 'attributes.company needs a value.');
    },
  );

  it('maps null and missing values to null when removal is allowed', () => {
    const result = validateAttributeInputs(
      catalog,
      [{ name: 'company', value: null }, { name: 'birthDate' }, { name: 'age', value: 0 }],
      REMOVE,
    );
    expect([...result]).toEqual([
      ['company', null],
      ['birthDate', null],
      ['age', 0],
    ]);
  });

  it('passes each value through its definition, naming the attribute on failure', () => {
    expectBadInput(
      () => validateAttributeInputs(catalog, [{ name: 'givenName', value: 'Ada' }, { name: 'birthDate', value: '2023-02-29' }], KEEP),
      'attributes.birthDate',
      'attributes.birthDate must be a real calendar date as YYYY-MM-DD.',
    );
    expectBadInput(() => validateAttributeInputs(catalog, [{ name: 'age', value: -1 }], KEEP), 'attributes.age', 'attributes.age must be at least 0.');
    expectBadInput(
      () => validateAttributeInputs(catalog, [{ name: 'company', value: 'x'.repeat(21) }], KEEP),
      'attributes.company',
      'attributes.company must be at most 20 characters.',
    );
  });

  describe('size bound', () => {
    const wide = Array.from({ length: 51 }, (_, i) => def(`attr${i}`, 'STRING'));
    const inputs = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `attr${i}`, value: `v${i}` }));

    it('takes 50 entries', () => {
      const result = validateAttributeInputs(wide, inputs(50), KEEP);
      expect(result.size).toBe(50);
      expect(result.get('attr49')).toBe('v49');
    });

    it('refuses 51 entries before looking at any of them', () => {
      expectBadInput(() => validateAttributeInputs(wide, inputs(51), KEEP), 'attributes', 'attributes takes at most 50 entries, got 51.');
      const unknown = Array.from({ length: 51 }, () => ({ name: 'nope', value: 1 }));
      expectBadInput(() => validateAttributeInputs(catalog, unknown, KEEP), 'attributes');
    });
  });
});
