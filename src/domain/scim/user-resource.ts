import type { Customer } from '../customers/customer.js';
import { normaliseEmail } from '../customers/email.js';
import { DomainError } from '../errors.js';
import { invalidSyntax, invalidValue } from './scim-error.js';
import {
  commonAttributes,
  CORE_USER,
  coreUserAttributes,
  ENTERPRISE_USER,
  enterpriseExtension,
  type ScimAttribute,
} from './user-schema.js';

type Json = Record<string, unknown>;

/** What Kith keeps of a SCIM user beyond the customer's columns (the scim_users row). */
export interface ScimRecord {
  customerId: string;
  userName: string;
  externalId: string | null;
  /**
   * The rest of the resource in canonical attribute names: displayName, name's other parts, secondary
   * emails and phone numbers, ims, photos, addresses, the enterprise extension (under its URN), and
   * `primaryEmail` / `primaryPhone`: the type and display of the primary values, whose `value` is the column.
   */
  document: Json;
}

/** A validated SCIM User split between the customer (email, built-in attributes, status) and its record (userName...). */
export interface ProvisionedUser {
  /** As the client sent it; unique among SCIM users whatever its case. */
  userName: string;
  /** The customer's email: the primary of `emails`, or the userName when it is an address and emails is absent. */
  email: string;
  givenName: string | null;
  familyName: string | null;
  phoneNumber: string | null;
  locale: string | null;
  /** Undefined when the resource left `active` out: the account's state stays as it is. */
  active: boolean | undefined;
  externalId: string | null;
  document: Json;
}

export const MAX_VALUES = 50;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const find = (list: readonly ScimAttribute[], key: string) => list.find((a) => a.name.toLowerCase() === key.toLowerCase());

/** The weak ETag of a customer version: `W/"<version>"`. */
export const etagOf = (version: number) => `W/"${version}"`;

/** Checks one value against its attribute, returning it with canonical keys; null and absent mean unassigned. */
function canonicalValue(attribute: ScimAttribute, value: unknown, path: string, single = false): unknown {
  if (value === null || value === undefined) return undefined;
  if (attribute.multiValued && !single) {
    if (!Array.isArray(value)) throw invalidValue(`${path} must be an array.`);
    if (value.length > MAX_VALUES) throw invalidValue(`${path} may have at most ${MAX_VALUES} values.`);
    const list = value.map((item, index) => canonicalValue(attribute, item, `${path}[${index}]`, true)).filter((item) => item !== undefined);
    return list.length > 0 ? list : undefined;
  }
  switch (attribute.type) {
    case 'complex': {
      if (!isObject(value)) throw invalidValue(`${path} must be an object.`);
      const out: Json = {};
      for (const [key, item] of Object.entries(value)) {
        const sub = find(attribute.subAttributes!, key);
        if (!sub || sub.mutability === 'readOnly') continue;
        const canonical = canonicalValue(sub, item, `${path}.${sub.name}`);
        if (canonical !== undefined) out[sub.name] = canonical;
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    case 'boolean':
      // Some clients send "True"/"False" as strings; accept them, refuse anything else.
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      if (typeof value !== 'boolean') throw invalidValue(`${path} must be true or false.`);
      return value;
    default:
      if (typeof value !== 'string') throw invalidValue(`${path} must be a string.`);
      if (value.length > 2048) throw invalidValue(`${path} is longer than 2048 characters.`);
      return value;
  }
}

/** Whether a JSON value holds U+0000 in any string, key or value. */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (isObject(value)) return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || hasNul(inner));
  return false;
}

/**
 * Reads a resource as a client sent it (POST, PUT, or the result of a PATCH): attribute names in any case,
 * readOnly attributes ignored (RFC 7644 section 3.5.1), attributes outside the schema ignored, values checked
 * against their types. Returns the resource with canonical keys.
 */
export function canonicalResource(body: unknown): Json {
  if (!isObject(body)) throw invalidSyntax('The request body must be a JSON object.');
  // PostgreSQL text and jsonb cannot hold U+0000: refuse it in any value rather than fail in the database.
  if (hasNul(body)) throw invalidValue('Values must not contain NUL characters (U+0000).');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === CORE_USER.toLowerCase())) {
    throw invalidSyntax(`schemas must list ${CORE_USER}.`);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === ENTERPRISE_USER.toLowerCase()) {
      if (value === null) continue;
      const extension = canonicalValue(enterpriseExtension, value, ENTERPRISE_USER);
      if (extension !== undefined) out[ENTERPRISE_USER] = extension;
      continue;
    }
    const attribute = find(coreUserAttributes, key) ?? find(commonAttributes, key);
    if (!attribute || attribute.mutability === 'readOnly') continue;
    const canonical = canonicalValue(attribute, value, attribute.name);
    if (canonical !== undefined) out[attribute.name] = canonical;
  }
  return out;
}

/** Picks the primary value of a plural attribute: the one marked primary, else the only one. */
function splitPrimary(values: Json[] | undefined, path: string): { primary: Json | null; rest: Json[] } {
  const list = values ?? [];
  const marked = list.filter((value) => value.primary === true);
  if (marked.length > 1) throw invalidValue(`At most one of ${path} may be primary.`);
  const primary = marked[0] ?? (list.length === 1 ? list[0]! : null);
  const rest = list.filter((value) => value !== primary).map(({ primary: _, ...value }) => value);
  return { primary, rest };
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** An email address as the customer keeps it; a SCIM invalidValue naming `field` when it is not one. */
function emailAddress(value: unknown, field: string): string {
  try {
    return normaliseEmail(typeof value === 'string' ? value : '', field);
  } catch (error) {
    if (error instanceof DomainError) throw invalidValue(error.message);
    throw error;
  }
}

const isEmailAddress = (value: string) => {
  try {
    emailAddress(value, 'userName');
    return true;
  } catch {
    return false;
  }
};

const sameAddress = (a: unknown, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.toLowerCase();

/**
 * The customer's email from a user: the value of the primary entry of `emails` (the one marked primary, the
 * only one, else the one with the customer's `current` email, else the one with the userName, else the
 * first); with no `emails`, the userName when it is an email address.
 */
function customerEmail(emails: Json[], userName: string, current: string | null | undefined): string {
  const marked = emails.filter((value) => value.primary === true);
  if (marked.length > 1) throw invalidValue('At most one of emails may be primary.');
  const listed = (address: string | null | undefined) => (address == null ? undefined : emails.find((value) => sameAddress(value.value, address)));
  const chosen = marked[0] ?? (emails.length === 1 ? emails[0] : undefined) ?? listed(current) ?? listed(userName) ?? emails[0];
  if (chosen) return emailAddress(chosen.value, 'emails');
  if (isEmailAddress(userName)) return emailAddress(userName, 'userName');
  throw invalidValue('emails: a customer needs an email address: send emails[primary] or an email as userName.');
}

/**
 * Splits a canonical resource into the customer's fields and the SCIM record's document. `currentEmail` is
 * the customer's email before the write (PUT, PATCH): it stays the primary one among several unmarked emails.
 */
export function toProvisionedUser(resource: Json, currentEmail?: string | null): ProvisionedUser {
  const { userName, name, locale, active, externalId, emails, phoneNumbers, ...rest } = resource;
  if (typeof userName !== 'string' || userName.trim() === '') throw invalidValue('userName is required.');
  const email = customerEmail((emails as Json[] | undefined) ?? [], userName, currentEmail);
  const document: Json = { ...rest };
  const { givenName, familyName, ...otherNames } = (name ?? {}) as Json;
  if (Object.keys(otherNames).length > 0) document.name = otherNames;

  // Entries with the customer's address describe the primary email: their type and display are kept with it.
  const mail = ((emails as Json[] | undefined) ?? []).map(({ primary: _, ...value }) => value);
  const { value: _, ...primaryMeta } = Object.assign({}, ...mail.filter((value) => sameAddress(value.value, email))) as Json;
  const secondaryEmails = mail.filter((value) => !sameAddress(value.value, email));
  if (Object.keys(primaryMeta).length > 0) document.primaryEmail = primaryMeta;
  if (secondaryEmails.length > 0) document.emails = secondaryEmails;

  const phones = splitPrimary(phoneNumbers as Json[] | undefined, 'phoneNumbers');
  if (phones.primary) {
    if (typeof phones.primary.value !== 'string') throw invalidValue('The primary phone number needs a value.');
    const { value: _, primary: __, ...meta } = phones.primary;
    if (Object.keys(meta).length > 0) document.primaryPhone = meta;
  }
  if (phones.rest.length > 0) document.phoneNumbers = phones.rest;

  return {
    userName,
    email,
    givenName: text(givenName),
    familyName: text(familyName),
    phoneNumber: phones.primary ? (phones.primary.value as string) : null,
    locale: text(locale),
    // Absent means unchanged: a routine PUT from an identity provider must not re-enable a disabled account.
    active: active === undefined ? undefined : (active as boolean),
    externalId: text(externalId),
    document,
  };
}

/** The order attributes appear in a representation: the schema's. */
const ORDER = coreUserAttributes.map((a) => a.name);

/** The full SCIM representation of a customer (before attributes/excludedAttributes). */
export function toResource(customer: Customer, record: ScimRecord | null, baseUrl: string): Json {
  const doc = record?.document ?? {};
  const extension = doc[ENTERPRISE_USER];
  const name = { ...(doc.name as Json | undefined), ...(customer.givenName ? { givenName: customer.givenName } : {}), ...(customer.familyName ? { familyName: customer.familyName } : {}) };
  const primaryPhone = customer.phoneNumber ? [{ value: customer.phoneNumber, ...(doc.primaryPhone as Json | undefined), primary: true }] : [];
  const columns: Json = {
    // A customer without a SCIM record (self-registered) goes by its email.
    userName: record?.userName ?? customer.email,
    name: Object.keys(name).length > 0 ? name : undefined,
    locale: customer.locale ?? undefined,
    active: customer.status !== 'DISABLED',
    emails: [{ value: customer.email, ...(doc.primaryEmail as Json | undefined), primary: true }, ...((doc.emails as Json[] | undefined) ?? [])],
    phoneNumbers: primaryPhone.length + ((doc.phoneNumbers as Json[] | undefined)?.length ?? 0) > 0 ? [...primaryPhone, ...((doc.phoneNumbers as Json[] | undefined) ?? [])] : undefined,
  };
  const resource: Json = {
    schemas: extension ? [CORE_USER, ENTERPRISE_USER] : [CORE_USER],
    id: customer.id,
    ...(record?.externalId ? { externalId: record.externalId } : {}),
  };
  for (const key of ORDER) {
    const value = key in columns ? columns[key] : doc[key];
    if (value !== undefined) resource[key] = value;
  }
  if (extension) resource[ENTERPRISE_USER] = extension;
  resource.meta = {
    resourceType: 'User',
    created: customer.createdAt.toISOString(),
    lastModified: customer.updatedAt.toISOString(),
    location: `${baseUrl}/Users/${customer.id}`,
    version: etagOf(customer.version),
  };
  return resource;
}
