import { conflict } from '../errors.js';
import type { Stores } from '../stores.js';
import type { Customer, CustomerStatus } from './customer.js';

/** The status an enabled account has: REGISTERED once it has a password, LIGHT before. */
export async function enabledStatus(tx: Stores, customerId: string): Promise<CustomerStatus> {
  return (await tx.credentials.findPasswordHash(customerId)) ? 'REGISTERED' : 'LIGHT';
}

/**
 * Share-locks the customer's row until the transaction ends and requires an active registered account
 * (CONFLICT otherwise, naming `action`). An erasure or a disabling holds the row's lock while it runs, so a
 * write that must not outlive one (a second factor, a passkey) waits for it and is then refused, rather
 * than leave data on a tombstone. A share lock, so that it never waits for (or deadlocks with) a
 * concurrent request adding rows for the customer, such as recovery codes.
 */
export async function lockRegistered(tx: Stores, customerId: string, action: string): Promise<Customer & { email: string }> {
  const customer = await tx.customers.shareLockById(customerId);
  if (!customer || customer.status !== 'REGISTERED' || customer.email === null) throw conflict(`Only an active registered account can ${action}.`);
  return { ...customer, email: customer.email };
}

/** Closes every way into a disabled account: its sessions end and its password recovery codes are used up. */
export async function endAccess(tx: Stores, customerId: string, at: Date): Promise<void> {
  // Codes before sessions: the order completeRecovery takes its locks in, so the two never deadlock.
  await tx.credentials.useRecoveryCodes(customerId, at);
  await tx.sessions.revokeAllOf(customerId, 'account_disabled', at);
}
