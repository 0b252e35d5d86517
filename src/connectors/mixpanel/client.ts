import type { ConnectorClient, Delivery, DeliveryOutcome } from '../connector.js';
import { sameOutcome, succeeded } from '../transport/failure.js';
import { callHttp, type HttpDeps } from '../transport/http-call.js';
import { deliverInOrder } from '../transport/ordered-delivery.js';
import type { MixpanelSecrets, MixpanelSettings } from './config.js';
import { engageVerdict, refusalOutcome } from './errors.js';
import { engageUpdates, type EngageUpdate } from './mapping.js';

/** Deliveries per request: Mixpanel takes up to 2000 updates per /engage call; 50 keeps requests small. */
export const MIXPANEL_MAX_BATCH = 50;

/** The profile test() touches: an `$unset` of a property nobody sets validates the token and writes nothing. */
export const MIXPANEL_TEST_DISTINCT_ID = 'kith-connection-test';

/**
 * Every action is a profile update on `POST /engage?verbose=1` (the reference's #profile-set,
 * #profile-unset and #profile-delete are the same endpoint). Updates are idempotent ($set, $unset,
 * $delete), so a retried batch does no harm; Mixpanel documents no idempotency key for profiles.
 */
export function createMixpanelClient(deps: HttpDeps & { settings: MixpanelSettings; secrets: MixpanelSecrets }): ConnectorClient {
  const { settings, secrets } = deps;
  const engage = (updates: EngageUpdate[]) =>
    callHttp(deps, { method: 'POST', url: `${settings.baseUrl}/engage?verbose=1`, headers: {}, json: updates });

  async function send(group: readonly Delivery[]): Promise<DeliveryOutcome[]> {
    const verdict = engageVerdict(await engage(group.flatMap((d) => engageUpdates(d, secrets.projectToken, settings.optOutProperty))), deps.now());
    if (verdict.kind === 'accepted') return sameOutcome(group, succeeded);
    if (verdict.kind === 'failed') return sameOutcome(group, verdict.outcome);
    // Mixpanel refuses a batch as a whole: send each delivery alone to find the one at fault.
    if (group.length === 1) return [refusalOutcome(verdict.error)];
    const outcomes: DeliveryOutcome[] = [];
    for (const delivery of group) outcomes.push(...(await send([delivery])));
    return outcomes;
  }

  return {
    deliver: (deliveries) => deliverInOrder(deliveries, () => 'engage', MIXPANEL_MAX_BATCH, send),
    async test() {
      const probe: EngageUpdate = { $token: secrets.projectToken, $distinct_id: MIXPANEL_TEST_DISTINCT_ID, $unset: ['kith_connection_test'] };
      const verdict = engageVerdict(await engage([probe]), deps.now());
      if (verdict.kind === 'accepted') return succeeded;
      return verdict.kind === 'failed' ? verdict.outcome : refusalOutcome(verdict.error);
    },
  };
}
