import { checkId } from '../../domain/input-bounds.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { eventCursor, parseEventCursor } from '../cursors.js';

export const eventResolvers: Resolvers = {
  Query: {
    changeEvents: async (_, { customerId, first, after }, { services }) => {
      const id = customerId == null ? null : checkId(customerId, 'customerId');
      const page = await services.changeLog.read(parseEventCursor(after), first, id);
      const edges = page.events.map((node) => ({ node, cursor: eventCursor(node) }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },
  ChangeEvent: {
    cursor: (event) => eventCursor(event),
  },
};
