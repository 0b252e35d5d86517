import type { Consent, ConsentRecord } from './consent.js';

/** Persistence of consents: the current state per (customer, purpose) and the append-only history. */
export interface ConsentStore {
  /** Current consents of these customers, each with its purpose joined in. */
  findCurrent(customerIds: readonly string[]): Promise<Consent[]>;
  /** History of these customers, oldest first per customer. */
  findHistory(customerIds: readonly string[]): Promise<ConsentRecord[]>;
  /**
   * Writes the new current state for each (customer, purpose) and appends the same decisions to the
   * history, in two statements; `purposeVersion` is the version each decision was made on. Callers hold the customer's row lock, which serialises consent writes.
   * An empty list writes nothing.
   */
  recordMany(changes: readonly ConsentRecord[]): Promise<void>;
}
