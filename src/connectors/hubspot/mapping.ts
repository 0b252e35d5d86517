import type { Delivery, ProfileFields } from '../connector.js';

/** The target names a new HubSpot connector maps Kith's profile fields to (HubSpot's default contact properties). */
export const HUBSPOT_DEFAULT_FIELD_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  email: 'email',
  givenName: 'firstname',
  familyName: 'lastname',
  phoneNumber: 'phone',
});

/** A delivery with the email HubSpot finds its contact by (null only once the account is erased). */
export type ByEmail = Delivery & { readonly email: string };

/** Whether every delivery of a group has an email to find its contact by. */
export const allByEmail = (group: readonly Delivery[]): group is readonly ByEmail[] => group.every((d) => d.email !== null);

/** One input of `POST /crm/v3/objects/contacts/batch/upsert`. */
export interface HubspotUpsertInput {
  readonly id: string;
  readonly idProperty: 'email';
  /** HubSpot echoes it on per-input errors of a 207 answer: the delivery's idempotency key. */
  readonly objectWriteTraceId: string;
  readonly properties: Record<string, string>;
}

/**
 * HubSpot property values are strings: numbers and booleans are written as text ("true"), and null as ""
 * (which clears the property). The email is always the delivery's, which is also the upsert key.
 */
export function hubspotProperties(fields: ProfileFields): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) properties[name] = value === null ? '' : String(value);
  return properties;
}

/** An upsert, or for an unsubscribe the same upsert with the opt-out property set. */
export function upsertInput(delivery: ByEmail, optOutProperty: string): HubspotUpsertInput {
  const properties = hubspotProperties(delivery.fields);
  properties.email = delivery.email;
  if (delivery.action === 'unsubscribe') properties[optOutProperty] = 'true';
  return { id: delivery.email, idProperty: 'email', objectWriteTraceId: delivery.idempotencyKey, properties };
}
