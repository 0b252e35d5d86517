import type { Resolvers } from '../__generated__/resolvers-types.js';

export const sessionResolvers: Resolvers = {
  Query: {
    viewer: (_, __, { viewer }) => ({ role: viewer.role }),
  },
};
