import type { AttributeValue } from '../catalog/attribute.js';
import { isBuiltinAttribute } from '../catalog/attribute.js';
import type { Customer, ProfileChanges } from './customer.js';

/** At most this many anonymous ids stay linked to a customer; the oldest fall off. */
export const MAX_ANONYMOUS_IDS = 50;

/** The value of one attribute, built-in or custom, or null. */
export function attributeOf(customer: Customer, name: string): AttributeValue | null {
  if (isBuiltinAttribute(name)) return customer[name];
  // Own keys only: a name such as `toString` must not read Object.prototype.
  return Object.hasOwn(customer.attributes, name) ? customer.attributes[name]! : null;
}

/** Every attribute the customer has a value for, built-in ones included, sorted by name. */
export function attributeList(customer: Customer): { name: string; value: AttributeValue }[] {
  const list: { name: string; value: AttributeValue }[] = [];
  for (const name of ['familyName', 'givenName', 'locale', 'phoneNumber'] as const) {
    const value = customer[name];
    if (value !== null) list.push({ name, value });
  }
  for (const [name, value] of Object.entries(customer.attributes)) list.push({ name, value });
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether a value was proven by verification; verified values are never overwritten by unverified input. */
function isVerified(customer: Customer, name: string): boolean {
  return name === 'phoneNumber' && customer.phoneNumberVerified;
}

export interface ProfilePlan {
  changes: ProfileChanges;
  /** Names of the fields that change, for the change log: `givenName`, `attributes.company`, `anonymousIds`. */
  changedFields: string[];
}

/**
 * How a write merges attribute values into a profile.
 * - `fill`: only attributes the customer has no value for (capture into a registered account: an anonymous
 *   form must not rewrite the owner's profile).
 * - `merge`: new values win, except verified ones (capture into a light account, registration).
 * - `replace`: new values win and null removes; changing a verified value clears its verification (staff and the customer themselves).
 */
export type MergeMode = 'fill' | 'merge' | 'replace';

export function planProfileChanges(
  customer: Customer,
  values: ReadonlyMap<string, AttributeValue | null>,
  mode: MergeMode,
  anonymousId?: string | null,
): ProfilePlan {
  const changes: ProfileChanges = {};
  const changedFields: string[] = [];
  let custom: Record<string, AttributeValue> | null = null;
  for (const [name, value] of values) {
    const current = attributeOf(customer, name);
    if (current === value) continue;
    if (mode === 'fill' && current !== null) continue;
    if (mode !== 'replace' && (value === null || isVerified(customer, name))) continue;
    if (isBuiltinAttribute(name)) {
      changes[name] = value as string | null;
      changedFields.push(name);
      if (name === 'phoneNumber' && customer.phoneNumberVerified) changes.phoneNumberVerified = false;
    } else {
      custom ??= { ...customer.attributes };
      if (value === null) delete custom[name];
      else custom[name] = value;
      changedFields.push(`attributes.${name}`);
    }
  }
  if (custom) changes.attributes = custom;
  if (anonymousId && !customer.anonymousIds.includes(anonymousId)) {
    changes.anonymousIds = [...customer.anonymousIds, anonymousId].slice(-MAX_ANONYMOUS_IDS);
    changedFields.push('anonymousIds');
  }
  return { changes, changedFields };
}
