import type { ConnectorClient, Delivery, DeliveryOutcome } from '../connector.js';
import { failed, succeeded } from '../transport/failure.js';
import { callHttp, joinUrl, successStatus, type HttpDeps } from '../transport/http-call.js';
import { deliverInOrder } from '../transport/ordered-delivery.js';
import type { SalesforceSecrets, SalesforceSettings } from './config.js';
import { salesforceFailure } from './errors.js';
import { upsertBody } from './mapping.js';

/**
 * One request per delivery on the sObject Rows by External ID resource,
 * `/services/data/{apiVersion}/sobjects/{object}/{externalIdField}/{customerId}`: PATCH upserts (201
 * created, 200 or 204 updated), DELETE deletes (404: already gone). Salesforce documents no idempotency
 * header; both calls are idempotent by the external id, and the Idempotency-Key header sent along is
 * ignored by Salesforce (it lets a proxy or the test peer deduplicate).
 */
export function createSalesforceClient(deps: HttpDeps & { settings: SalesforceSettings; secrets: SalesforceSecrets }): ConnectorClient {
  const { settings, secrets } = deps;
  const api = `${settings.instanceUrl}/services/data/${settings.apiVersion}`;
  const headers = (delivery?: Delivery): Record<string, string> => ({
    authorization: `Bearer ${secrets.accessToken}`,
    ...(delivery ? { 'idempotency-key': delivery.idempotencyKey } : {}),
  });

  async function deliverOne(delivery: Delivery): Promise<DeliveryOutcome> {
    const url = joinUrl(api, 'sobjects', settings.object, settings.externalIdField, delivery.customerId);
    const answer =
      delivery.action === 'delete'
        ? await callHttp(deps, { method: 'DELETE', url, headers: headers(delivery) })
        : await callHttp(deps, { method: 'PATCH', url, headers: headers(delivery), json: upsertBody(delivery, settings) });
    if (successStatus(answer) !== undefined) return succeeded;
    if (delivery.action === 'delete' && answer.kind === 'answer' && answer.status === 404) return succeeded;
    return salesforceFailure(answer, deps.now());
  }

  return {
    deliver: (deliveries) => deliverInOrder(deliveries, () => 'one', 1, async ([delivery]) => [await deliverOne(delivery!)]),
    /** Describes the object: checks the token, the object and that the external ID field exists as one. */
    async test() {
      const answer = await callHttp(deps, { method: 'GET', url: joinUrl(api, 'sobjects', settings.object, 'describe'), headers: headers() });
      if (answer.kind !== 'answer' || successStatus(answer) === undefined) return salesforceFailure(answer, deps.now());
      const fields = (answer.body as { fields?: Array<{ name?: unknown; externalId?: unknown }> } | undefined)?.fields ?? [];
      const field = fields.find((f) => f.name === settings.externalIdField);
      if (field?.externalId === true) return succeeded;
      return failed('REJECTED', `${settings.object}.${settings.externalIdField} is not an external ID field of this org`);
    },
  };
}
