import type { Delivery, DeliveryOutcome } from '../connector.js';
import { failed } from './failure.js';

type Failure = Extract<DeliveryOutcome, { ok: false }>;

/**
 * Sends deliveries in request-sized groups while keeping each customer's changes in order: a group holds
 * consecutive deliveries of the same request kind (`groupOf`), at most `maxGroup` of them and at most one per
 * customer (batch endpoints refuse duplicate ids). Once a change of a customer fails with a retryable
 * outcome, that customer's later changes in the call are held back with the same wait rather than sent
 * ahead of it.
 */
export async function deliverInOrder(
  deliveries: readonly Delivery[],
  groupOf: (delivery: Delivery) => string,
  maxGroup: number,
  send: (group: readonly Delivery[]) => Promise<DeliveryOutcome[]>,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = new Array<DeliveryOutcome>(deliveries.length);
  const heldBack = new Map<string, Failure>();
  let index = 0;
  while (index < deliveries.length) {
    const kind = groupOf(deliveries[index]!);
    const group: number[] = [];
    const customers = new Set<string>();
    for (; index < deliveries.length && group.length < maxGroup; index++) {
      const delivery = deliveries[index]!;
      if (groupOf(delivery) !== kind || customers.has(delivery.customerId)) break;
      customers.add(delivery.customerId);
      const earlier = heldBack.get(delivery.customerId);
      if (earlier) outcomes[index] = holdBack(earlier);
      else group.push(index);
    }
    if (group.length === 0) continue;
    const results = await send(group.map((i) => deliveries[i]!));
    if (results.length !== group.length) throw new Error(`connector returned ${results.length} outcomes for ${group.length} deliveries`);
    group.forEach((deliveryIndex, k) => {
      const outcome = results[k]!;
      outcomes[deliveryIndex] = outcome;
      if (!outcome.ok && outcome.retryable) heldBack.set(deliveries[deliveryIndex]!.customerId, outcome);
    });
  }
  return outcomes;
}

function holdBack(earlier: Failure): DeliveryOutcome {
  return failed('UNAVAILABLE', `held back behind an earlier change of this customer that failed (${earlier.error})`, earlier.retryAfterSeconds);
}
