import type { ConnectorClient, Delivery, DeliveryOutcome } from '../connector.js';
import { failed, succeeded } from '../transport/failure.js';
import { callHttp, joinUrl, successStatus, type HttpDeps, type HttpRequest } from '../transport/http-call.js';
import { deliverInOrder } from '../transport/ordered-delivery.js';
import type { ScimSecrets, ScimSettings } from './config.js';
import { scimFailure } from './errors.js';
import { byUserName, createBody, deactivateBody, lookupFilter, updateBody } from './mapping.js';

const SCIM_JSON = 'application/scim+json';

interface RemoteUser {
  readonly id: string;
  readonly externalId?: unknown;
  readonly userName?: unknown;
}

type Lookup = { readonly user: RemoteUser | undefined } | { readonly failure: DeliveryOutcome };

/**
 * Provisions customers into a SCIM 2.0 service provider (RFC 7644). Kith keeps no remote ids: each delivery
 * finds the user with `GET /Users?filter=externalId eq "<customer id>" or userName eq "<email>"`, then
 * - upsert: `PATCH /Users/{id}` (a PatchOp replace, re-activating the user) or `POST /Users` when absent;
 * - unsubscribe: `PATCH /Users/{id}` replacing `active` with false (deprovisioning that keeps the account,
 *   reversible by the next upsert); nothing when absent;
 * - delete: `DELETE /Users/{id}`; nothing when absent.
 * RFC 7644 has no idempotency key; the Idempotency-Key header rides along for proxies that honour it,
 * and the lookup makes a retried create land as an update.
 */
export function createScimClient(deps: HttpDeps & { settings: ScimSettings; secrets: ScimSecrets }): ConnectorClient {
  const { settings, secrets } = deps;
  const call = (method: HttpRequest['method'], path: string[], delivery?: Delivery, json?: unknown, query = '') =>
    callHttp(deps, {
      method,
      url: joinUrl(settings.baseUrl, ...path) + query,
      headers: {
        authorization: `Bearer ${secrets.bearerToken}`,
        accept: SCIM_JSON,
        ...(json === undefined ? {} : { 'content-type': SCIM_JSON }),
        ...(delivery ? { 'idempotency-key': delivery.idempotencyKey } : {}),
      },
      json,
    });

  async function lookup(delivery: Delivery): Promise<Lookup> {
    const answer = await call('GET', ['Users'], undefined, undefined, `?filter=${encodeURIComponent(lookupFilter(delivery))}`);
    if (answer.kind !== 'answer' || successStatus(answer) === undefined) return { failure: scimFailure(answer, deps.now()) };
    const resources = (answer.body as { Resources?: unknown } | undefined)?.Resources ?? [];
    if (!Array.isArray(resources)) return { failure: failed('INVALID_RESPONSE', 'ListResponse without a Resources array') };
    const users = resources.filter((r): r is RemoteUser => typeof (r as RemoteUser | null)?.id === 'string');
    const user =
      users.find((u) => u.externalId === delivery.customerId) ??
      (byUserName(delivery) ? users.find((u) => typeof u.userName === 'string' && u.userName.toLowerCase() === delivery.email.toLowerCase()) : undefined);
    return { user };
  }

  const outcomeOf = async (request: ReturnType<typeof call>, absentIsFine = false): Promise<DeliveryOutcome> => {
    const answer = await request;
    if (successStatus(answer) !== undefined) return succeeded;
    if (absentIsFine && answer.kind === 'answer' && answer.status === 404) return succeeded;
    return scimFailure(answer, deps.now());
  };

  async function deliverOne(delivery: Delivery, attempt = 1): Promise<DeliveryOutcome> {
    const found = await lookup(delivery);
    if ('failure' in found) return found.failure;
    const { user } = found;
    switch (delivery.action) {
      case 'upsert': {
        if (user) return outcomeOf(call('PATCH', ['Users', user.id], delivery, updateBody(delivery)));
        const created = await call('POST', ['Users'], delivery, createBody(delivery));
        // Another writer created it since the lookup (409 uniqueness): look again and update it.
        if (created.kind === 'answer' && created.status === 409 && attempt === 1) return deliverOne(delivery, 2);
        return successStatus(created) !== undefined ? succeeded : scimFailure(created, deps.now());
      }
      case 'unsubscribe':
        return user ? outcomeOf(call('PATCH', ['Users', user.id], delivery, deactivateBody()), true) : succeeded;
      case 'delete':
        return user ? outcomeOf(call('DELETE', ['Users', user.id], delivery), true) : succeeded;
      default: {
        const unreachable: never = delivery.action;
        throw new Error(`unknown delivery action ${String(unreachable)}`);
      }
    }
  }

  return {
    deliver: (deliveries) => deliverInOrder(deliveries, () => 'one', 1, async ([delivery]) => [await deliverOne(delivery!)]),
    /** Reads the ServiceProviderConfig and checks the filter and PATCH support the connector relies on. */
    async test() {
      const answer = await call('GET', ['ServiceProviderConfig']);
      if (answer.kind !== 'answer' || successStatus(answer) === undefined) return scimFailure(answer, deps.now());
      const config = answer.body as { filter?: { supported?: unknown }; patch?: { supported?: unknown } } | undefined;
      if (config?.filter?.supported !== true) return failed('REJECTED', 'the service provider does not support filters');
      if (config.patch?.supported !== true) return failed('REJECTED', 'the service provider does not support PATCH');
      return succeeded;
    },
  };
}
