import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLContext } from './context.js';

/** Limits on the shape of one operation, checked during validation, before anything runs. */
export const operationShapeLimits = {
  /** Kith's deepest real read is 6 (customers > edges > node > consents > purpose > key). */
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 50,
  /**
   * graphql-armor's static cost: 1 a scalar, 2 an object, x1.5 a level, x`first` for a literal page size.
   * One page of 100 customers with every field costs ~20,000 and the schema has no nested connections,
   * so 25,000 lets one operation read at most about one full page.
   */
  maxCost: 25_000,
} as const;

/**
 * graphql-armor's validation rules for depth, aliases, directives and cost, and field suggestions
 * masked in production. Its token limit stays off: it re-parses the document and answers 500 on an
 * over-long or broken one (graphql-armor issues 571 and 751); Apollo's parseOptions.maxTokens does
 * that job with a proper 400.
 */
export function createArmor(options: { production: boolean }) {
  const armor = new ApolloArmor({
    maxDepth: { n: operationShapeLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: operationShapeLimits.maxAliases },
    maxDirectives: { n: operationShapeLimits.maxDirectives },
    costLimit: { maxCost: operationShapeLimits.maxCost },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.production },
  }).protect();
  // Its plugins never read the context, so they serve Kith's context type as they are.
  return { plugins: armor.plugins as ApolloServerPlugin<GraphQLContext>[], validationRules: armor.validationRules };
}
