import type { Customer } from '../customers/customer.js';
import { badInput, unreachable } from '../errors.js';
import type { ChangeEvent } from '../events/change-event.js';
import type { ConsentFacts, DeliveryAction, FieldMapping, RecordedOutcome } from './connector.js';

/** How retries are spaced: exponential from `baseMs`, capped at `capMs`, with full jitter. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** The longest Retry-After honoured as given; a longer one is cut to this. */
  maxRetryAfterMs: number;
}

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): a uniformly random wait between 0
 * and min(cap, base * 2^(attempt - 1)), so retries of many deliveries do not arrive at the target together.
 * `attempt` counts from 1 (the first retry after one failed try).
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.floor(random() * ceiling);
}

/** A target's answer as the engine sees it (the connector contract's DeliveryOutcome). */
export type TargetOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryable: boolean; readonly retryAfterSeconds?: number; readonly error: string };

/**
 * What to record after a try: delivered; dead when the target refused for good (a 4xx other than 429) or
 * this was the last allowed attempt; otherwise pending again after Retry-After when the target gave one,
 * else after the backoff.
 */
export function settle(
  delivery: { id: number; attempts: number },
  outcome: TargetOutcome,
  context: { maxAttempts: number; now: Date; policy: BackoffPolicy; random: () => number },
): RecordedOutcome {
  if (outcome.ok) return { id: delivery.id, status: 'delivered' };
  const attempt = delivery.attempts + 1;
  if (!outcome.retryable || attempt >= context.maxAttempts) return { id: delivery.id, status: 'dead', error: outcome.error };
  const wait =
    outcome.retryAfterSeconds !== undefined
      ? Math.min(Math.max(outcome.retryAfterSeconds, 0) * 1000, context.policy.maxRetryAfterMs)
      : backoffMs(attempt, context.policy, context.random);
  return { id: delivery.id, status: 'pending', nextAttemptAt: new Date(context.now.getTime() + wait), error: outcome.error };
}

/**
 * Which action an event becomes for a connector, or null for none.
 *
 * A connector bound to a purpose sends a customer only while their current consent to it is GRANTED: an
 * upsert on customer.created, customer.registered, a customer.updated touching a mapped field, and
 * consent.granted of that purpose; an unsubscribe on consent.withdrawn of that purpose, for a customer who
 * had granted it (one who never granted was never sent, so nothing leaves). A customer who never granted
 * sends nothing.
 *
 * A connector without a purpose (an internal system of record) sends every customer's profile changes as
 * upserts and no consent events: it has no purpose to unsubscribe from.
 *
 * An account deletion (customer.deleted) becomes a delete wherever the customer may have been sent: every
 * connector without a purpose, and a purpose-bound one when the customer ever granted it. Disabling is not
 * a deletion and sends nothing, and an export changes nothing.
 */
export function actionFor(
  event: ChangeEvent,
  connector: { purposeKey: string | null; fieldMapping: FieldMapping },
  facts: ConsentFacts | undefined,
): DeliveryAction | null {
  if (event.customerId === null) return null;
  const bound = connector.purposeKey;
  const granted = bound === null || facts?.granted === true;
  const ofPurpose = bound !== null && event.changedFields.includes(`consents.${bound}`);
  switch (event.type) {
    case 'customer.created':
    case 'customer.registered':
      return granted ? 'upsert' : null;
    case 'customer.updated':
      return granted && event.changedFields.some((field) => field in connector.fieldMapping) ? 'upsert' : null;
    case 'consent.granted':
      return ofPurpose && granted ? 'upsert' : null;
    case 'consent.withdrawn':
      return ofPurpose && facts?.everGranted === true ? 'unsubscribe' : null;
    case 'customer.deleted':
      return bound === null || facts?.everGranted === true ? 'delete' : null;
    case 'customer.disabled':
    case 'customer.enabled':
    case 'customer.exported':
      return null;
    default:
      return unreachable(event.type);
  }
}

const PROFILE_FIELDS = ['id', 'email', 'emailVerified', 'givenName', 'familyName', 'phoneNumber', 'phoneNumberVerified', 'locale', 'status', 'createdAt', 'updatedAt'] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];
const ATTRIBUTE_FIELD = /^attributes\.[A-Za-z][A-Za-z0-9_]{0,63}$/;
const TARGET_FIELD = /^[^\s].{0,127}$/;
const MAX_MAPPED_FIELDS = 100;

/** The mapping applied when a connector is created without one. */
export const DEFAULT_FIELD_MAPPING: FieldMapping = Object.freeze({ email: 'email', givenName: 'givenName', familyName: 'familyName' });

/**
 * Checks a field mapping: Kith fields are the profile's (`email`, `givenName`, `status`, ...) or
 * `attributes.<name>` for catalog attributes; each Kith field and each target field appears once.
 */
export function checkFieldMapping(entries: readonly { from: string; to: string }[]): FieldMapping {
  if (entries.length > MAX_MAPPED_FIELDS) throw badInput(`fieldMapping takes at most ${MAX_MAPPED_FIELDS} entries.`, 'fieldMapping');
  const mapping: Record<string, string> = {};
  const targets = new Set<string>();
  entries.forEach(({ from, to }, index) => {
    if (!(PROFILE_FIELDS as readonly string[]).includes(from) && !ATTRIBUTE_FIELD.test(from)) {
      throw badInput(`fieldMapping: "${from}" is not a Kith field (${PROFILE_FIELDS.join(', ')} or attributes.<name>).`, `fieldMapping.${index}.from`);
    }
    if (!TARGET_FIELD.test(to)) throw badInput('fieldMapping: a target field is 1 to 128 characters.', `fieldMapping.${index}.to`);
    if (from in mapping || targets.has(to)) throw badInput(`fieldMapping: "${from}" -> "${to}" repeats a field.`, `fieldMapping.${index}`);
    mapping[from] = to;
    targets.add(to);
  });
  return mapping;
}

function profileValue(customer: Customer, field: string): string | number | boolean | null {
  if (field.startsWith('attributes.')) return customer.attributes[field.slice('attributes.'.length)] ?? null;
  const value = customer[field as ProfileField];
  return value instanceof Date ? value.toISOString() : value;
}

/** The customer's profile under target names, through the mapping. */
export function mapFields(customer: Customer, mapping: FieldMapping): Record<string, string | number | boolean | null> {
  const fields: Record<string, string | number | boolean | null> = {};
  for (const [from, to] of Object.entries(mapping)) fields[to] = profileValue(customer, from);
  return fields;
}
