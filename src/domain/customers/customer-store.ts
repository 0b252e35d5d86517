import type { Customer, CustomerStatus, ProfileChanges } from './customer.js';
import type { AttributeValue } from '../catalog/attribute.js';
import type { Consent, ConsentRecord } from '../consents/consent.js';
import type { NewChangeEvent } from '../events/change-event.js';

/** Conditions of a customer search; every condition given must hold. Values are already validated. */
export interface CustomerQuery {
  /** Any of these statuses; without it, every status but DELETED. */
  statuses?: CustomerStatus[];
  email?: string;
  anonymousId?: string;
  /** Built-in attributes compare their column, custom ones the attribute map; values are typed. */
  attributes?: { name: string; builtin: boolean; value: AttributeValue }[];
  consents?: { purposeKey: string; status: 'GRANTED' | 'WITHDRAWN' }[];
  createdAfter?: Date;
  createdBefore?: Date;
  updatedAfter?: Date;
  updatedBefore?: Date;
}

/** Keyset position in the (createdAt, id) order. */
export interface CustomerPosition {
  createdAt: Date;
  id: string;
}

/**
 * A customer with its current consents (purposes joined), read in one statement: the graph asks for both
 * together so often that two round trips per read would double the database's work.
 */
export interface CustomerWithConsents {
  customer: Customer;
  consents: Consent[];
}

/** Persistence of customers. Reads outside a transaction see committed data only. */
export interface CustomerStore {
  /** The customers with these ids, in no particular order; unknown ids are absent. */
  findByIds(ids: readonly string[]): Promise<Customer[]>;
  /** Like findByIds, each with its current consents, in one statement. */
  findByIdsWithConsents(ids: readonly string[]): Promise<CustomerWithConsents[]>;
  /** The customer with this email (case-insensitive), if any, without locking it. */
  findByEmail(email: string): Promise<Customer[]>;
  /** The customer with this email (case-insensitive), locked for update until the transaction ends. */
  lockByEmail(email: string): Promise<Customer | null>;
  /** The customer with this id, locked for update until the transaction ends. */
  lockById(id: string): Promise<Customer | null>;
  /**
   * Share-locks the customer until the transaction ends: it waits for a writer holding lockById (an
   * erasure, a disabling) but, unlike lockById, not for the foreign-key checks of rows being added for them.
   */
  shareLockById(id: string): Promise<Customer | null>;
  /** Inserts a customer unless one with the same email exists; returns null in that case. */
  insertIfAbsent(customer: Customer): Promise<Customer | null>;
  /**
   * Inserts a new customer with the first consent changes and change events of the step that created it,
   * all in one statement, unless a customer with the same email (or id) exists: then it writes nothing
   * and returns false. A new email costs one round trip and no transaction.
   */
  insertWithStep(customer: Customer, consentChanges: readonly ConsentRecord[], events: readonly NewChangeEvent[]): Promise<boolean>;
  /** Applies changes, bumps the version and sets updatedAt, if the customer is still at `version`; null otherwise. */
  update(id: string, version: number, changes: ProfileChanges, at: Date): Promise<Customer | null>;
  /** Up to `limit` customers matching the query after the position, in (createdAt, id) order; DELETED ones only when `statuses` names them. */
  search(query: CustomerQuery, after: CustomerPosition | null, limit: number): Promise<Customer[]>;
  /** Like search, each with its current consents, in one statement. */
  searchWithConsents(query: CustomerQuery, after: CustomerPosition | null, limit: number): Promise<CustomerWithConsents[]>;
  /** Whether any customer holds a value for this custom attribute. */
  anyHasAttribute(name: string): Promise<boolean>;
}
