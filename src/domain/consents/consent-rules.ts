import { badInput } from '../errors.js';
import type { NewChangeEvent } from '../events/change-event.js';
import type { Stores } from '../stores.js';
import type { ConsentPurpose, ConsentSource, ConsentStatus } from './consent.js';

/** Looks up purposes by key, in the order given; any unknown key is BAD_USER_INPUT. Duplicates are folded. */
export async function requirePurposes(stores: Stores, keys: readonly string[], field: string): Promise<ConsentPurpose[]> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  const found = new Map((await stores.catalog.findPurposes(unique)).map((p) => [p.key, p]));
  const missing = unique.filter((key) => !found.has(key));
  if (missing.length > 0) {
    throw badInput(`${field}: unknown purpose ${missing.join(', ')}; see consentPurposes.`, field);
  }
  return unique.map((key) => found.get(key)!);
}

/**
 * Records one decision per purpose unless it would change nothing: a grant of a purpose already granted
 * at its current version, or a withdrawal of one already withdrawn. Returns the change events to append.
 */
export async function decideConsents(
  tx: Stores,
  decision: {
    customerId: string;
    purposes: readonly ConsentPurpose[];
    status: ConsentStatus;
    source: ConsentSource;
    actor: string;
    at: Date;
  },
): Promise<NewChangeEvent[]> {
  const events: NewChangeEvent[] = [];
  for (const purpose of decision.purposes) {
    const current = await tx.consents.lockCurrent(decision.customerId, purpose.key);
    const unchanged =
      current !== null &&
      current.status === decision.status &&
      (decision.status === 'WITHDRAWN' || current.purposeVersion === purpose.version);
    if (unchanged) continue;
    await tx.consents.record({
      customerId: decision.customerId,
      purposeKey: purpose.key,
      purposeVersion: purpose.version,
      status: decision.status,
      source: decision.source,
      actor: decision.actor,
      at: decision.at,
    });
    events.push({
      customerId: decision.customerId,
      type: decision.status === 'GRANTED' ? 'consent.granted' : 'consent.withdrawn',
      changedFields: [`consents.${purpose.key}`],
      actor: decision.actor,
      occurredAt: decision.at,
    });
  }
  return events;
}
