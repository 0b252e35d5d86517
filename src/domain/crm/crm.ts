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
  /** Upper bound on emails per `readByEmail` call (the CRM's batch size). */
  readonly maxBatch: number;
  /**
   * The profiles of the contacts with these emails, keyed by lower-cased email; an email the CRM does not
   * know is absent. Throws when the CRM cannot answer (timeout, 5xx, 429, bad credentials).
   */
  readByEmail(emails: readonly string[]): Promise<Map<string, CrmProfile>>;
}
