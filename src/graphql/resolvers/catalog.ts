import type { Resolvers } from '../__generated__/resolvers-types.js';

export const catalogResolvers: Resolvers = {
  Query: {
    attributeDefinitions: (_, __, { services }) => services.catalog.listAttributes(),
    consentPurposes: (_, __, { services }) => services.catalog.listPurposes(),
  },
  Mutation: {
    defineAttribute: (_, { input }, { services }) => services.catalog.defineAttribute(input),
    removeAttribute: (_, { name }, { services }) => services.catalog.removeAttribute(name),
    definePurpose: (_, { input }, { services }) => services.catalog.definePurpose(input),
  },
  AttributeDefinition: {
    maxLength: (def) => def.constraints.maxLength ?? null,
    pattern: (def) => def.constraints.pattern ?? null,
    minimum: (def) => def.constraints.minimum ?? null,
    maximum: (def) => def.constraints.maximum ?? null,
    allowedValues: (def) => def.constraints.allowedValues ?? null,
  },
};
