import type { ChangeEvent, EventPosition, NewChangeEvent } from './change-event.js';

/** The append-only change log. */
export interface EventStore {
  /** Appends events in the current transaction; they become visible when it commits. An empty list writes nothing. */
  append(events: readonly NewChangeEvent[]): Promise<void>;
  /**
   * Up to `limit` events after the position in (txId, id) order, only of transactions older than every
   * transaction still running, so a reader following positions never skips an event committed late.
   */
  readAfter(after: EventPosition | null, limit: number, customerId?: string): Promise<ChangeEvent[]>;
}
