import type { CrmProfile, CrmReader } from '../../domain/crm/crm.js';
import { callHttp, type HttpDeps } from '../transport/http-call.js';

/** Why Salesforce did not answer a read; the CRM service turns it into CRM_UNAVAILABLE. */
export class SalesforceReadError extends Error {
  override name = 'SalesforceReadError';
}

/** A SOQL string literal: backslashes and single quotes escaped, as the SOQL reference requires. */
export const soqlString = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

interface QueryRecord {
  Email?: string | null;
  Status?: string | null;
  LastActivityDate?: string | null;
  Owner?: { Name?: string | null } | null;
}

/**
 * Reads Leads or Contacts by email with one SOQL query per batch (`GET /services/data/{version}/query`):
 * status, owner and last activity. A Lead's status is its lifecycle stage; Contacts have none, and
 * neither object carries an open-deal count (Customer.crm.openDeals is null).
 */
export function createSalesforceCrmReader(
  deps: HttpDeps & { settings: { instanceUrl: string; apiVersion: string; object: 'Lead' | 'Contact' }; secrets: { accessToken: string }; purposeKey?: string | null },
): CrmReader {
  const { instanceUrl, apiVersion, object } = deps.settings;
  const fields = object === 'Lead' ? 'Email, Status, Owner.Name, LastActivityDate' : 'Email, Owner.Name, LastActivityDate';
  return {
    purposeKey: deps.purposeKey ?? null,
    maxBatch: 100,
    async readByEmail(emails) {
      const soql = `SELECT ${fields} FROM ${object} WHERE Email IN (${emails.map(soqlString).join(', ')})`;
      const url = `${instanceUrl.replace(/\/+$/, '')}/services/data/${apiVersion}/query?q=${encodeURIComponent(soql)}`;
      const answer = await callHttp(deps, { method: 'GET', url, headers: { authorization: `Bearer ${deps.secrets.accessToken}` } });
      if (answer.kind === 'transport') throw new SalesforceReadError(`Salesforce: ${answer.message}`);
      if (answer.status !== 200) throw new SalesforceReadError(`Salesforce answered ${answer.status}`);
      const body = (answer.body ?? {}) as { records?: QueryRecord[] };
      const found = new Map<string, CrmProfile>();
      for (const record of body.records ?? []) {
        if (!record.Email) continue;
        const activity = record.LastActivityDate ? new Date(`${record.LastActivityDate}T00:00:00Z`) : null;
        found.set(record.Email.toLowerCase(), {
          lifecycleStage: record.Status ?? null,
          owner: record.Owner?.Name ?? null,
          lastActivityAt: activity && !Number.isNaN(activity.getTime()) ? activity : null,
          openDeals: null,
        });
      }
      return found;
    },
  };
}
