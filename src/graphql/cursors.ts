import type { CustomerPosition } from '../domain/customers/customer-store.js';
import { badInput } from '../domain/errors.js';
import type { EventPosition } from '../domain/events/change-event.js';

// Cursors are opaque to clients: base64url of a tagged position, checked strictly on the way back in.
const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;
// Buffer skips characters outside the alphabet; a cursor with any is not one this API returned.
const decode = (cursor: string) => (BASE64URL.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '');
const invalid = () => badInput('after is not a cursor this connection returned.', 'after');

const CUSTOMER = /^c1:(\d{1,15}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const EVENT = /^e1:(\d{1,20}):(\d{1,16})$/;
const XID8_MAX = 2n ** 64n - 1n;

export function customerCursor(position: CustomerPosition): string {
  return encode(`c1:${position.createdAt.getTime()}:${position.id}`);
}

export function parseCustomerCursor(cursor: string | null | undefined): CustomerPosition | null {
  if (cursor == null) return null;
  const m = CUSTOMER.exec(decode(cursor));
  if (!m) throw invalid();
  return { createdAt: new Date(Number(m[1])), id: m[2]! };
}

export function eventCursor(position: EventPosition): string {
  return encode(`e1:${position.txId}:${position.id}`);
}

export function parseEventCursor(cursor: string | null | undefined): EventPosition | null {
  if (cursor == null) return null;
  const m = EVENT.exec(decode(cursor));
  // Both parts must fit their columns: xid8 is unsigned 64-bit, the id a safe integer.
  if (!m || BigInt(m[1]!) > XID8_MAX || !Number.isSafeInteger(Number(m[2]))) throw invalid();
  return { txId: m[1]!, id: Number(m[2]) };
}
