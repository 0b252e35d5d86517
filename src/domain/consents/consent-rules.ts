import { badInput } from '../errors.js';
import type { NewChangeEvent } from '../events/change-event.js';
import type { Stores } from '../stores.js';
import type { Consent, ConsentPurpose, ConsentRecord, ConsentSource, ConsentStatus } from './consent.js';

/** Looks up purposes by key, in the order given; any unknown key is BAD_USER_INPUT. Duplicates are folded. */
export function requirePurposes(catalog: readonly ConsentPurpose[], keys: readonly string[], field: string): ConsentPurpose[] {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  const found = new Map(catalog.map((p) => [p.key, p]));
  const missing = unique.filter((key) => !found.has(key));
  if (missing.length > 0) {
    throw badInput(`${field}: unknown purpose ${missing.join(', ')}; see consentPurposes.`, field);
  }
  return unique.map((key) => found.get(key)!);
}

/**
 * Records one decision per purpose unless it would change nothing: a grant of a purpose already granted
 * at its current version, or a withdrawal of one already withdrawn. `current` is the customer's current
 * consents, read under the customer's row lock (an empty list for a customer created in this transaction).
 * Returns the change events to append.
 */
export async function decideConsents(
  tx: Stores,
  current: readonly Consent[],
  decision: {
    customerId: string;
    purposes: readonly ConsentPurpose[];
    status: ConsentStatus;
    source: ConsentSource;
    actor: string;
    at: Date;
  },
): Promise<NewChangeEvent[]> {
  const changes: ConsentRecord[] = [];
  for (const purpose of decision.purposes) {
    const now = current.find((c) => c.purpose.key === purpose.key);
    const unchanged =
      now !== undefined && now.status === decision.status && (decision.status === 'WITHDRAWN' || now.purposeVersion === purpose.version);
    if (unchanged) continue;
    changes.push({
      customerId: decision.customerId,
      purposeKey: purpose.key,
      purposeVersion: purpose.version,
      status: decision.status,
      source: decision.source,
      actor: decision.actor,
      recordedAt: decision.at,
    });
  }
  if (changes.length > 0) await tx.consents.recordMany(changes);
  return changes.map((change) => ({
    customerId: change.customerId,
    type: change.status === 'GRANTED' ? 'consent.granted' : 'consent.withdrawn',
    changedFields: [`consents.${change.purposeKey}`],
    actor: change.actor,
    occurredAt: change.recordedAt,
  }));
}

/** Whether the customer's current consents grant this purpose (null: no purpose, never granted). */
export const hasGranted = (consents: readonly Consent[], purposeKey: string | null): boolean =>
  purposeKey !== null && consents.some((c) => c.purpose.key === purposeKey && c.status === 'GRANTED');
