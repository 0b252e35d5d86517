import type { CrmProfile, CrmReader } from '../../domain/crm/crm.js';
import { callHttp, type HttpDeps } from '../transport/http-call.js';
import type { HubspotSecrets, HubspotSettings } from './config.js';

/** HubSpot contact properties behind Customer.crm (HubSpot's internal names). */
const PROPERTIES = ['email', 'lifecyclestage', 'hubspot_owner_id', 'notes_last_updated', 'num_associated_deals'] as const;

/** Why HubSpot did not answer a read; the CRM service turns it into CRM_UNAVAILABLE. */
export class CrmReadError extends Error {
  override name = 'CrmReadError';
}

const number = (value: unknown): number | null => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const date = (value: unknown): Date | null => {
  if (typeof value !== 'string' || value === '') return null;
  const parsed = new Date(/^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
};

/**
 * Reads contacts by email with HubSpot's CRM v3 batch read (`POST /crm/v3/objects/contacts/batch/read`
 * with `idProperty: "email"`, up to 100 inputs): one call per page of customers. `openDeals` is HubSpot's
 * `num_associated_deals` (contacts carry no open-deal count; the associated deals are the nearest).
 */
export function createHubSpotCrmReader(deps: HttpDeps & { settings: Pick<HubspotSettings, 'baseUrl'>; secrets: HubspotSecrets; purposeKey?: string | null }): CrmReader {
  return {
    purposeKey: deps.purposeKey ?? null,
    maxBatch: 100,
    async readByEmail(emails) {
      const answer = await callHttp(deps, {
        method: 'POST',
        url: `${deps.settings.baseUrl.replace(/\/+$/, '')}/crm/v3/objects/contacts/batch/read`,
        headers: { authorization: `Bearer ${deps.secrets.accessToken}` },
        json: { idProperty: 'email', properties: PROPERTIES, inputs: emails.map((id) => ({ id })) },
      });
      if (answer.kind === 'transport') throw new CrmReadError(`HubSpot: ${answer.message}`);
      // 207: some inputs were not found (HubSpot reports them in `errors`); the rest are in `results`.
      if (answer.status !== 200 && answer.status !== 207) throw new CrmReadError(`HubSpot answered ${answer.status}`);
      const body = (answer.body ?? {}) as { results?: { properties?: Record<string, unknown> }[] };
      const found = new Map<string, CrmProfile>();
      for (const result of body.results ?? []) {
        const properties = result.properties ?? {};
        const email = text(properties.email);
        if (!email) continue;
        found.set(email.toLowerCase(), {
          lifecycleStage: text(properties.lifecyclestage),
          owner: text(properties.hubspot_owner_id),
          lastActivityAt: date(properties.notes_last_updated),
          openDeals: number(properties.num_associated_deals),
        });
      }
      return found;
    },
  };
}
