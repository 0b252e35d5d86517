import type { Delivery } from '../connector.js';

/** The target names a new Mixpanel connector maps Kith's profile fields to (Mixpanel's reserved profile properties). */
export const MIXPANEL_DEFAULT_FIELD_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  email: '$email',
  givenName: '$first_name',
  familyName: '$last_name',
  phoneNumber: '$phone',
});

/** One profile update of `POST /engage`: the token, the profile (the Kith customer id) and one operation. */
export type EngageUpdate = { readonly $token: string; readonly $distinct_id: string } & (
  | { readonly $set: Record<string, string | number | boolean> }
  | { readonly $unset: string[] }
  | { readonly $delete: null }
);

/**
 * The updates of one delivery, applied in order: `$set` of the non-null fields (with the opt-out property
 * for an unsubscribe), `$unset` of the null ones; a delete is `$delete` (the whole profile).
 */
export function engageUpdates(delivery: Delivery, token: string, optOutProperty: string): EngageUpdate[] {
  const profile = { $token: token, $distinct_id: delivery.customerId };
  if (delivery.action === 'delete') return [{ ...profile, $delete: null }];
  const set: Record<string, string | number | boolean> = {};
  const unset: string[] = [];
  for (const [name, value] of Object.entries(delivery.fields)) {
    if (value === null) unset.push(name);
    else set[name] = value;
  }
  if (delivery.action === 'unsubscribe') set[optOutProperty] = true;
  const updates: EngageUpdate[] = [{ ...profile, $set: set }];
  if (unset.length > 0) updates.push({ ...profile, $unset: unset });
  return updates;
}
