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

/** One decision about several purposes, for one customer. */
export interface ConsentDecision {
  customerId: string;
  purposes: readonly ConsentPurpose[];
  status: ConsentStatus;
  source: ConsentSource;
  actor: string;
  at: Date;
}

/**
 * What a decision changes: one record per purpose unless it would change nothing (a grant of a purpose
 * already granted at its current version, or a withdrawal of one already withdrawn), and the change
 * events to append. `current` is the customer's current consents, read under the customer's row lock (an
 * empty list for a customer created in this transaction).
 */
export function planConsents(current: readonly Consent[], decision: ConsentDecision): { changes: ConsentRecord[]; events: NewChangeEvent[] } {
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
  const events = changes.map(
    (change): NewChangeEvent => ({
      customerId: change.customerId,
      type: change.status === 'GRANTED' ? 'consent.granted' : 'consent.withdrawn',
      changedFields: [`consents.${change.purposeKey}`],
      actor: change.actor,
      occurredAt: change.recordedAt,
    }),
  );
  return { changes, events };
}

/**
 * Writes a step's consent records and change events together: in a transaction the driver sends the
 * statements at once, one round trip instead of three.
 */
export async function recordStep(tx: Stores, consentChanges: readonly ConsentRecord[], events: readonly NewChangeEvent[]): Promise<void> {
  await Promise.all([tx.consents.recordMany(consentChanges), tx.events.append(events)]);
}

/** Whether the customer's current consents grant this purpose (null: no purpose, never granted). */
export const hasGranted = (consents: readonly Consent[], purposeKey: string | null): boolean =>
  purposeKey !== null && consents.some((c) => c.purpose.key === purposeKey && c.status === 'GRANTED');
