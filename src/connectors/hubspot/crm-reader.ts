import type { CrmProfile, CrmReader } from '../../domain/crm/crm.js';

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
export function createHubSpotCrmReader(deps: { baseUrl: string; accessToken: string; fetch: typeof fetch; timeoutMs: number }): CrmReader {
  return {
    maxBatch: 100,
    async readByEmail(emails) {
      const response = await deps.fetch(`${deps.baseUrl.replace(/\/+$/, '')}/crm/v3/objects/contacts/batch/read`, {
        method: 'POST',
        headers: { authorization: `Bearer ${deps.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ idProperty: 'email', properties: PROPERTIES, inputs: emails.map((id) => ({ id })) }),
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      // 207: some inputs were not found (HubSpot reports them in `errors`); the rest are in `results`.
      if (response.status !== 200 && response.status !== 207) throw new CrmReadError(`HubSpot answered ${response.status}`);
      const body = (await response.json()) as { results?: { properties?: Record<string, unknown> }[] };
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
