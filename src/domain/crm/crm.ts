/** What the CRM knows of a customer, read live and shown in the graph as `Customer.crm`. */
export interface CrmProfile {
  /** The CRM's lifecycle stage or lead status, as the CRM names it (`lead`, `customer`, `Working`, ...). */
  lifecycleStage: string | null;
  /** The owning sales rep, as the CRM identifies them. */
  owner: string | null;
  lastActivityAt: Date | null;
  /** Deals (opportunities) still open for this contact; null when the CRM object has none (a lead). */
  openDeals: number | null;
}

/** Reads contacts from a CRM in one call per batch (a connector implements it). */
export interface CrmReader {
  /** The consent purpose of the CRM connector: customers who have not granted it are not sent to the CRM. */
  readonly purposeKey: string | null;
  /** Upper bound on emails per `readByEmail` call (the CRM's batch size). */
  readonly maxBatch: number;
  /**
   * The profiles of the contacts with these emails, keyed by lower-cased email; an email the CRM does not
   * know is absent. Throws when the CRM cannot answer (timeout, 5xx, 429, bad credentials).
   */
  readByEmail(emails: readonly string[]): Promise<Map<string, CrmProfile>>;
}

/**
 * Whether a customer's email may be sent to the CRM to read their record: not a deleted account, and, when
 * the CRM connector is bound to a purpose, only while the customer grants it (as outbound delivery does).
 */
export function mayAskCrm(customer: { status: string }, purposeKey: string | null, granted: (purposeKey: string) => boolean): boolean {
  if (customer.status === 'DELETED') return false;
  return purposeKey === null || granted(purposeKey);
}
