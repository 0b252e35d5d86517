import { badInput } from '../errors.js';
import { bounds } from '../input-bounds.js';
import { type AttributeDefinition, type AttributeType, type AttributeValue, attributeTypes } from './attribute.js';

const E164 = /^\+[1-9][0-9]{7,14}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * Checks one value against its catalog definition and returns it in canonical form
 * (locales canonicalised, strings trimmed). Throws BAD_USER_INPUT naming the field on any mismatch.
 */
export function validateAttributeValue(def: AttributeDefinition, value: unknown, field: string): AttributeValue {
  const fail = (expected: string): never => {
    throw badInput(`${field} must be ${expected}.`, field);
  };
  const c = def.constraints;
  switch (def.type) {
    case 'STRING': {
      if (typeof value !== 'string') return fail('a string');
      const text = value.trim();
      const max = c.maxLength ?? bounds.defaultStringLength;
      if (text.length === 0) return fail('a non-empty string');
      if ([...text].length > max) return fail(`at most ${max} characters`);
      if (c.allowedValues && !c.allowedValues.includes(text)) return fail(`one of ${c.allowedValues.join(', ')}`);
      if (c.pattern && !new RegExp(`^(?:${c.pattern})$`, 'u').test(text)) return fail(`text matching ${c.pattern}`);
      return text;
    }
    case 'INTEGER':
    case 'NUMBER': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('a number');
      if (def.type === 'INTEGER' && !Number.isSafeInteger(value)) return fail('a whole number');
      if (c.minimum !== undefined && value < c.minimum) return fail(`at least ${c.minimum}`);
      if (c.maximum !== undefined && value > c.maximum) return fail(`at most ${c.maximum}`);
      return value;
    }
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : fail('true or false');
    case 'DATE': {
      const m = typeof value === 'string' ? ISO_DATE.exec(value) : null;
      if (!m) return fail('a date as YYYY-MM-DD');
      const date = new Date(0);
      // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
      date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
      if (year !== Number(m[1]) || month !== Number(m[2]) || day !== Number(m[3])) return fail('a real calendar date as YYYY-MM-DD');
      return value as string;
    }
    case 'PHONE_NUMBER': {
      if (typeof value !== 'string') return fail('a phone number in E.164 form such as +14155550100');
      const compact = value.replace(/[\s().-]/g, '');
      return E164.test(compact) ? compact : fail('a phone number in E.164 form such as +14155550100');
    }
    case 'LOCALE': {
      if (typeof value !== 'string' || value.length > 35) return fail('a BCP 47 language tag such as en-GB');
      try {
        const [canonical] = Intl.getCanonicalLocales(value);
        return canonical ?? fail('a BCP 47 language tag such as en-GB');
      } catch {
        return fail('a BCP 47 language tag such as en-GB');
      }
    }
  }
}

/** Checks an administrator's attribute definition before it enters the catalog. */
export function validateDefinition(input: {
  name: string;
  type: string;
  maxLength?: number | null;
  pattern?: string | null;
  minimum?: number | null;
  maximum?: number | null;
  allowedValues?: readonly string[] | null;
}): void {
  if (!ATTRIBUTE_NAME.test(input.name)) {
    throw badInput('name must be letters and digits, starting with a letter, at most 64 characters.', 'name');
  }
  if (!(attributeTypes as readonly string[]).includes(input.type)) throw badInput('type is not an attribute type.', 'type');
  const type = input.type as AttributeType;
  const textOnly = input.maxLength != null || input.pattern != null || input.allowedValues != null;
  const numberOnly = input.minimum != null || input.maximum != null;
  if (textOnly && type !== 'STRING') throw badInput('maxLength, pattern and allowedValues apply to STRING attributes only.', 'type');
  if (numberOnly && type !== 'INTEGER' && type !== 'NUMBER') {
    throw badInput('minimum and maximum apply to INTEGER and NUMBER attributes only.', 'type');
  }
  if (input.maxLength != null && (!Number.isInteger(input.maxLength) || input.maxLength < 1 || input.maxLength > 10_000)) {
    throw badInput('maxLength must be a whole number from 1 to 10000.', 'maxLength');
  }
  if (input.minimum != null && input.maximum != null && input.minimum > input.maximum) {
    throw badInput('minimum must not exceed maximum.', 'minimum');
  }
  if (input.pattern != null) {
    if (input.pattern.length > 500) throw badInput('pattern takes at most 500 characters.', 'pattern');
    try {
      new RegExp(input.pattern, 'u');
    } catch {
      throw badInput('pattern is not a valid regular expression.', 'pattern');
    }
  }
  if (input.allowedValues != null) {
    if (input.allowedValues.length === 0 || input.allowedValues.length > 100) {
      throw badInput('allowedValues takes 1 to 100 values.', 'allowedValues');
    }
    if (input.allowedValues.some((v) => v.length === 0 || v.length > 200 || v.trim() !== v)) {
      throw badInput('each allowed value takes 1 to 200 characters, with no space at either end (input is trimmed).', 'allowedValues');
    }
  }
}
