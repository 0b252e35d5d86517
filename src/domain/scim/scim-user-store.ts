import type { Customer } from '../customers/customer.js';
import type { Filter } from './filter.js';
import type { AttributeRef } from './user-schema.js';
import type { ScimRecord } from './user-resource.js';

/** A customer as SCIM sees it: the customer and what SCIM keeps beside it (null before any SCIM write). */
export interface ScimUser {
  customer: Customer;
  record: ScimRecord | null;
}

/** A list request: filter, order and the page (offset 0-based). */
export interface UserSearch {
  filter: Filter | null;
  sortBy: AttributeRef | null;
  descending: boolean;
  offset: number;
  limit: number;
}

/** Persistence of the SCIM side of customers (the scim_users table) and SCIM searches over customers. */
export interface ScimUserStore {
  /** The records of these customers; customers without one are absent. */
  findByCustomerIds(ids: readonly string[]): Promise<ScimRecord[]>;
  /** The record whose userName is this one, compared case-insensitively, or null. */
  findByUserName(userName: string): Promise<ScimRecord | null>;
  /** Inserts or replaces the customer's record. */
  put(record: ScimRecord, at: Date): Promise<void>;
  /**
   * Customers that are not DELETED and match the filter (every value a bound parameter): how many match, and
   * the page `offset`..`offset + limit` in `sortBy` order (then creation order), each with its record.
   */
  search(query: UserSearch): Promise<{ total: number; users: ScimUser[] }>;
}
