import type { ConnectorClient, Delivery, DeliveryOutcome } from '../connector.js';
import { failed, sameOutcome, succeeded } from '../transport/failure.js';
import { callHttp, successStatus, type HttpAnswer, type HttpDeps } from '../transport/http-call.js';
import { deliverInOrder } from '../transport/ordered-delivery.js';
import type { HubspotSecrets, HubspotSettings } from './config.js';
import { hubspotFailure, hubspotMessage } from './errors.js';
import { allByEmail, type ByEmail, upsertInput } from './mapping.js';

/** HubSpot's documented limit of inputs per batch request. */
export const HUBSPOT_MAX_BATCH = 100;

const CONTACTS = '/crm/v3/objects/contacts';

interface BatchError {
  readonly category?: string;
  readonly message?: string;
  readonly context?: Record<string, unknown>;
}

/**
 * HubSpot finds contacts by email only (Kith keeps no HubSpot ids), so a change of a customer whose email is
 * gone cannot be carried out: an administrator deletes that contact in HubSpot by hand.
 */
const NO_EMAIL = failed('REJECTED', 'the account was erased and its email is no longer held, and HubSpot finds contacts by email only: delete the contact in HubSpot by hand');

/**
 * Upserts and unsubscribes go to `POST /crm/v3/objects/contacts/batch/upsert` keyed by email. An archive
 * needs HubSpot's record ids: `POST .../batch/read` with `idProperty: "email"` finds them, then
 * `POST .../batch/archive` archives them (a contact that is not there counts as deleted). A GDPR delete
 * takes the email directly, one contact per request.
 */
export function createHubspotClient(deps: HttpDeps & { settings: HubspotSettings; secrets: HubspotSecrets }): ConnectorClient {
  const { settings, secrets } = deps;
  const post = (path: string, json: unknown): Promise<HttpAnswer> =>
    callHttp(deps, { method: 'POST', url: `${settings.baseUrl}${CONTACTS}${path}`, headers: auth(), json });
  const auth = () => ({ authorization: `Bearer ${secrets.accessToken}` });

  async function upsert(group: readonly ByEmail[]): Promise<DeliveryOutcome[]> {
    const answer = await post('/batch/upsert', { inputs: group.map((d) => upsertInput(d, settings.optOutProperty)) });
    const status = successStatus(answer);
    if (status !== undefined) return status === 207 ? multiStatus(group, answerBody(answer)) : sameOutcome(group, succeeded);
    // One invalid record fails a whole batch with 400: send each alone so the others still land.
    if (answer.kind === 'answer' && answer.status === 400 && group.length > 1) {
      const outcomes: DeliveryOutcome[] = [];
      for (const delivery of group) outcomes.push(...(await upsert([delivery])));
      return outcomes;
    }
    return sameOutcome(group, hubspotFailure(answer, deps.now()));
  }

  async function archive(group: readonly ByEmail[]): Promise<DeliveryOutcome[]> {
    const read = await post('/batch/read', {
      idProperty: 'email',
      properties: ['email'],
      inputs: group.map((d) => ({ id: d.email })),
    });
    if (successStatus(read) === undefined) return sameOutcome(group, hubspotFailure(read, deps.now()));
    const results = (answerBody(read) as { results?: unknown } | undefined)?.results;
    if (!Array.isArray(results)) return sameOutcome(group, failed('INVALID_RESPONSE', 'batch read answered without results'));
    const ids = results
      .map((r: { id?: unknown }) => r.id)
      .filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return sameOutcome(group, succeeded);
    const archived = await post('/batch/archive', { inputs: ids.map((id) => ({ id })) });
    return sameOutcome(group, successStatus(archived) !== undefined ? succeeded : hubspotFailure(archived, deps.now()));
  }

  async function gdprDelete(group: readonly ByEmail[]): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = [];
    for (const delivery of group) {
      const answer = await post('/gdpr-delete', { objectId: delivery.email, idProperty: 'email' });
      outcomes.push(successStatus(answer) !== undefined ? succeeded : hubspotFailure(answer, deps.now()));
    }
    return outcomes;
  }

  const remove = settings.deleteMode === 'gdpr' ? gdprDelete : archive;
  return {
    deliver: (deliveries) =>
      deliverInOrder(deliveries, (d) => (d.email === null ? 'no email' : d.action === 'delete' ? 'delete' : 'upsert'), HUBSPOT_MAX_BATCH, async (group) =>
        !allByEmail(group) ? sameOutcome(group, NO_EMAIL) : group[0]!.action === 'delete' ? remove(group) : upsert(group),
      ),
    async test() {
      const answer = await callHttp(deps, { method: 'GET', url: `${settings.baseUrl}${CONTACTS}?limit=1`, headers: auth() });
      return successStatus(answer) !== undefined ? succeeded : hubspotFailure(answer, deps.now());
    },
  };
}

/**
 * A 207 answer lists failed inputs in `errors`, each naming the inputs it concerns by their
 * `objectWriteTraceId` (or their id, the email) in `context`; every other input succeeded.
 */
function multiStatus(group: readonly ByEmail[], body: unknown): DeliveryOutcome[] {
  const errors = (body as { errors?: BatchError[] } | undefined)?.errors ?? [];
  const failures = new Map<string, DeliveryOutcome>();
  for (const error of errors) {
    const outcome = failed(error.category === 'RATE_LIMITS' ? 'RATE_LIMITED' : 'REJECTED', describe(error));
    for (const key of [...strings(error.context?.objectWriteTraceId), ...strings(error.context?.ids)]) failures.set(key.toLowerCase(), outcome);
  }
  return group.map((d) => failures.get(d.idempotencyKey.toLowerCase()) ?? failures.get(d.email.toLowerCase()) ?? succeeded);
}

function answerBody(answer: HttpAnswer): unknown {
  return answer.kind === 'answer' ? answer.body : undefined;
}

function describe(error: BatchError): string {
  return hubspotMessage({ kind: 'answer', status: 207, headers: new Headers(), body: error, text: '' });
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
