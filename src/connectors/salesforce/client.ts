import type { ConnectorClient, Delivery, DeliveryOutcome } from '../connector.js';
import { failed, sameOutcome, succeeded } from '../transport/failure.js';
import { callHttp, joinUrl, successStatus, type HttpDeps } from '../transport/http-call.js';
import { deliverInOrder } from '../transport/ordered-delivery.js';
import type { SalesforceSecrets, SalesforceSettings } from './config.js';
import { recordFailure, salesforceFailure, type SalesforceError } from './errors.js';
import { collectionRecord, upsertBody } from './mapping.js';

/** sObject Collections take up to 200 records per request. */
export const SALESFORCE_MAX_BATCH = 200;

interface UpsertResult {
  readonly success?: unknown;
  readonly errors?: SalesforceError[];
}

/**
 * Upserts and unsubscribes of several customers go in one sObject Collections upsert,
 * `PATCH /services/data/{apiVersion}/composite/sobjects/{object}/{externalIdField}` with `allOrNone: false`
 * (one result per record, in order). When Salesforce refuses the whole request (400, such as an unknown
 * field), each record goes alone through the sObject Rows by External ID resource,
 * `PATCH .../sobjects/{object}/{externalIdField}/{customerId}`, so the others still land. A delete is a
 * `DELETE` on that resource (404: already gone). Salesforce documents no idempotency header: upserts by
 * external id are idempotent; single-record requests carry an Idempotency-Key header Salesforce ignores.
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

  async function upsertCollection(group: readonly Delivery[]): Promise<DeliveryOutcome[]> {
    if (group.length === 1) return [await deliverOne(group[0]!)];
    const answer = await callHttp(deps, {
      method: 'PATCH',
      url: joinUrl(api, 'composite', 'sobjects', settings.object, settings.externalIdField),
      headers: headers(),
      json: { allOrNone: false, records: group.map((d) => collectionRecord(d, settings)) },
    });
    if (answer.kind === 'answer' && answer.status === 400) return oneByOne(group);
    if (answer.kind !== 'answer' || successStatus(answer) === undefined) return sameOutcome(group, salesforceFailure(answer, deps.now()));
    const results = answer.body;
    if (!Array.isArray(results) || results.length !== group.length) {
      return sameOutcome(group, failed('INVALID_RESPONSE', 'the collection answer does not hold one result per record'));
    }
    return (results as UpsertResult[]).map((result) => (result.success === true ? succeeded : recordFailure(result.errors)));
  }

  return {
    deliver: (deliveries) =>
      deliverInOrder(deliveries, (d) => (d.action === 'delete' ? 'delete' : 'upsert'), SALESFORCE_MAX_BATCH, (group) =>
        group[0]!.action === 'delete' ? oneByOne(group) : upsertCollection(group),
      ),
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

  /** Deletes, and upserts Salesforce refused as a collection, go one request per delivery, in order. */
  async function oneByOne(group: readonly Delivery[]): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = [];
    for (const delivery of group) outcomes.push(await deliverOne(delivery));
    return outcomes;
  }
}
