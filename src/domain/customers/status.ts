import type { Stores } from '../stores.js';
import type { CustomerStatus } from './customer.js';

/** The status an enabled account has: REGISTERED once it has a password, LIGHT before. */
export async function enabledStatus(tx: Stores, customerId: string): Promise<CustomerStatus> {
  return (await tx.credentials.findPasswordHash(customerId)) ? 'REGISTERED' : 'LIGHT';
}
