import type { Consent, ConsentRecord, ConsentSource, ConsentStatus } from './consent.js';

/** Persistence of consents: the current state per (customer, purpose) and the append-only history. */
export interface ConsentStore {
  /** Current consents of these customers, each with its purpose joined in. */
  findCurrent(customerIds: readonly string[]): Promise<Consent[]>;
  /** History of these customers, oldest first per customer. */
  findHistory(customerIds: readonly string[]): Promise<ConsentRecord[]>;
  /** The current consent of one customer to one purpose, locked until the transaction ends. */
  lockCurrent(customerId: string, purposeKey: string): Promise<Consent | null>;
  /**
   * Writes the new current state for (customer, purpose) and appends the same decision to the history.
   * `purposeVersion` is the version of the purpose the decision was made on.
   */
  record(change: {
    customerId: string;
    purposeKey: string;
    purposeVersion: number;
    status: ConsentStatus;
    source: ConsentSource;
    actor: string;
    at: Date;
  }): Promise<void>;
}
