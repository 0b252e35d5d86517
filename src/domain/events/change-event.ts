export const changeEventTypes = [
  'customer.created',
  'customer.updated',
  'customer.registered',
  'customer.disabled',
  'customer.enabled',
  'customer.deleted',
  /** The customer exported their data (exportMyData): an audit entry; it changes nothing. */
  'customer.exported',
  'consent.granted',
  'consent.withdrawn',
] as const;
export type ChangeEventType = (typeof changeEventTypes)[number];

/** A change to append to the log. */
export interface NewChangeEvent {
  customerId: string | null;
  type: ChangeEventType;
  changedFields: string[];
  actor: string;
  occurredAt: Date;
}

/** A change as read back: its position in the log is (txId, id). */
export interface ChangeEvent extends NewChangeEvent {
  id: number;
  /** The writing transaction's 64-bit id, as a decimal string. */
  txId: string;
}

export interface EventPosition {
  txId: string;
  id: number;
}
