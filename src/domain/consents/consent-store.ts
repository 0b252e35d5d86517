import type { Consent, ConsentRecord, ConsentSource, ConsentStatus } from './consent.js';

/** Persistence of consents: the current state per (customer, purpose) and the append-only history. */
export interface ConsentStore {
  /** Current consents of these customers, each with its purpose joined in. */
  findCurrent(customerIds: readonly string[]): Promise<Consent[]>;
  /** History of these customers, oldest first per customer. */
  findHistory(customerIds: readonly string[]): Promise<ConsentRecord[]>;
  /**
   * Writes the new current state for each (customer, purpose) and appends the same decisions to the
   * history, in two statements. Callers hold the customer's row lock, which serialises consent writes.
   */
  recordMany(changes: readonly ConsentChange[]): Promise<void>;
}

/** One decision to record; `purposeVersion` is the version of the purpose it was made on. */
export interface ConsentChange {
  customerId: string;
  purposeKey: string;
  purposeVersion: number;
  status: ConsentStatus;
  source: ConsentSource;
  actor: string;
  at: Date;
}
