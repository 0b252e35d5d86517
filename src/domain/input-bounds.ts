import { badInput } from './errors.js';

/** Upper bounds on what one request may carry; every list and string a client sends is checked against them. */
export const bounds = {
  attributesPerRequest: 50,
  consentsPerRequest: 20,
  filterConditions: 10,
  anonymousIdLength: 128,
  defaultStringLength: 1000,
} as const;

export function checkListSize<T>(list: readonly T[] | null | undefined, max: number, field: string): readonly T[] {
  if (!list) return [];
  if (list.length > max) throw badInput(`${field} takes at most ${max} entries, got ${list.length}.`, field);
  return list;
}

const ANONYMOUS_ID = /^[A-Za-z0-9._:-]+$/;

/** Web-analytics ids are opaque but bounded: 1 to 128 characters of letters, digits and `._:-`. */
export function checkAnonymousId(value: string, field = 'anonymousId'): string {
  if (value.length === 0 || value.length > bounds.anonymousIdLength || !ANONYMOUS_ID.test(value)) {
    throw badInput(`${field} must be 1 to ${bounds.anonymousIdLength} characters of letters, digits and ._:-`, field);
  }
  return value;
}

/** Checks a requested page size: 1 to max, or the default when absent. */
export function pageSize(first: number | null | undefined, limits: { default: number; max: number }): number {
  if (first == null) return limits.default;
  if (!Number.isInteger(first) || first < 1 || first > limits.max) {
    throw badInput(`first must be from 1 to ${limits.max}.`, 'first');
  }
  return first;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Customer ids are UUIDs; anything else is BAD_USER_INPUT rather than a database error. */
export function checkId(value: string, field: string): string {
  if (!UUID.test(value)) throw badInput(`${field} is not a valid id.`, field);
  return value.toLowerCase();
}
