import type { TestKith } from './kith.js';

export interface LoggedEvent {
  type: string;
  changedFields: string[];
  actor: string;
  customerId: string;
  occurredAt: string;
}

const EVENTS_OF = `query($id: ID!) { changeEvents(customerId: $id, first: 500) { edges { node { type changedFields actor customerId occurredAt } } } }`;

/**
 * The customer's change events (as an administrator), once `ready` holds for them. The log shows a
 * transaction only when every older one has ended, so on PostgreSQL, where other test files write at the same
 * time, a test's own change can take a moment to appear.
 */
export async function changeEventsOnce(k: Pick<TestKith, 'ok'>, customerId: string, ready: (events: LoggedEvent[]) => boolean): Promise<LoggedEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = (await k.ok(EVENTS_OF, { id: customerId }, { as: 'admin' })).changeEvents.edges.map((e: { node: LoggedEvent }) => e.node);
    if (ready(events) || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
