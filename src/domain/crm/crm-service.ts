import type { Clock } from '../clock.js';
import { crmUnavailable, type DomainError } from '../errors.js';
import type { Consent } from '../consents/consent.js';
import { hasGranted } from '../consents/consent-rules.js';
import { type CrmProfile, type CrmReader, mayAskCrm } from './crm.js';

export type CrmService = ReturnType<typeof createCrmService>;

/**
 * Live CRM data for the graph: one CRM call per batch of emails (the request's DataLoader gathers a page),
 * a short cache so a page read twice in a few seconds calls once, and CRM_UNAVAILABLE for every email of a
 * batch the CRM could not answer (the reader is wrapped in a timeout and a circuit breaker by the
 * composition root). No CRM configured: every customer's `crm` is null, without an error.
 */
export function createCrmService(deps: { reader: () => Promise<CrmReader | null>; clock: Clock; cacheSeconds: number; cacheSize?: number }) {
  const cache = new Map<string, { profile: CrmProfile | null; until: number }>();
  const cacheSize = deps.cacheSize ?? 10_000;

  function remember(email: string, profile: CrmProfile | null, now: number): void {
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(email, { profile, until: now + deps.cacheSeconds * 1000 });
  }

  const service = {
    /**
     * One answer per customer, in order, asking the CRM only about those it may be asked about (mayAskCrm):
     * the others are null without a call. `consentsOf` gives customers' current consents (a loader).
     */
    async readForCustomers(
      customers: readonly { id: string; email: string | null; status: string }[],
      consentsOf: (ids: readonly string[]) => Promise<readonly (readonly Consent[])[]>,
    ): Promise<(CrmProfile | null | DomainError)[]> {
      const purposeKey = (await deps.reader())?.purposeKey ?? null;
      const consents = purposeKey === null ? [] : await consentsOf(customers.map((c) => c.id));
      // An erased customer has no email left to ask about.
      const asked = customers.map((customer, i) => customer.email !== null && mayAskCrm(customer, purposeKey, (key) => hasGranted(consents[i] ?? [], key)));
      const answers = await service.readByEmail(customers.flatMap((c, i) => (asked[i] && c.email !== null ? [c.email] : [])));
      let next = 0;
      return asked.map((ask) => (ask ? answers[next++]! : null));
    },

    /** One answer per email, in order: the profile, null (not in the CRM, or no CRM), or CRM_UNAVAILABLE. */
    async readByEmail(emails: readonly string[]): Promise<(CrmProfile | null | DomainError)[]> {
      const reader = await deps.reader();
      if (!reader) return emails.map(() => null);
      const now = deps.clock.now().getTime();
      const keys = emails.map((email) => email.toLowerCase());
      const missing = [...new Set(keys.filter((key) => !((cache.get(key)?.until ?? 0) > now)))];
      const failed = new Set<string>();
      for (let start = 0; start < missing.length; start += reader.maxBatch) {
        const batch = missing.slice(start, start + reader.maxBatch);
        try {
          const found = await reader.readByEmail(batch);
          for (const key of batch) remember(key, found.get(key) ?? null, now);
        } catch {
          for (const key of batch) failed.add(key);
        }
      }
      return keys.map((key) =>
        failed.has(key) ? crmUnavailable('The CRM did not answer in time; the rest of the customer is current.') : (cache.get(key)?.profile ?? null),
      );
    },
  };
  return service;
}
