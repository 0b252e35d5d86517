import { pageSize } from '../input-bounds.js';
import type { UnitOfWork } from '../stores.js';
import type { ChangeEvent, EventPosition } from './change-event.js';

export const EVENT_PAGE_SIZE = { default: 100, max: 500 } as const;

export type ChangeLog = ReturnType<typeof createChangeLog>;

/** Reads the change log by position, for audit now and for subscriptions and delivery later. */
export function createChangeLog(deps: { uow: UnitOfWork }) {
  return {
    async read(
      after: EventPosition | null,
      first: number | null | undefined,
      customerId?: string | null,
    ): Promise<{ events: ChangeEvent[]; hasNextPage: boolean }> {
      const limit = pageSize(first, EVENT_PAGE_SIZE);
      const rows = await deps.uow.read.events.readAfter(after, limit + 1, customerId ?? undefined);
      return { events: rows.slice(0, limit), hasNextPage: rows.length > limit };
    },
  };
}
