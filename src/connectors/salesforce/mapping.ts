import type { Delivery } from '../connector.js';
import type { SalesforceSettings } from './config.js';

/**
 * The target names a new Salesforce connector maps Kith's profile fields to (standard Lead and Contact
 * fields). Salesforce requires LastName on both objects and Company on a Lead when a record is created:
 * the mapping must provide them (for instance a Company attribute), or the create is REJECTED.
 */
export const SALESFORCE_DEFAULT_FIELD_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  email: 'Email',
  givenName: 'FirstName',
  familyName: 'LastName',
  phoneNumber: 'Phone',
});

/**
 * The JSON body of an upsert by external ID: the mapped fields as they are (null clears a field), without
 * the external ID field and Id, which the URL carries; an unsubscribe also sets the opt-out checkbox.
 */
export function upsertBody(delivery: Delivery, settings: SalesforceSettings): Record<string, string | number | boolean | null> {
  const body: Record<string, string | number | boolean | null> = {};
  for (const [name, value] of Object.entries(delivery.fields)) {
    if (name !== settings.externalIdField && name !== 'Id') body[name] = value;
  }
  if (delivery.action === 'unsubscribe') body[settings.optOutField] = true;
  return body;
}

/** One record of an sObject Collections upsert: the same fields, its type, and the external ID value. */
export function collectionRecord(delivery: Delivery, settings: SalesforceSettings): Record<string, unknown> {
  return { attributes: { type: settings.object }, ...upsertBody(delivery, settings), [settings.externalIdField]: delivery.customerId };
}
