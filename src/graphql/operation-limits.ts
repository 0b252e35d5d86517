import type { ApolloServerPlugin } from '@apollo/server';
import { type FragmentDefinitionNode, GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import type { GraphQLContext } from './context.js';

/** Root fields of one operation, through fragments and aliases; `__typename` is free. */
export function countRootFields(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, fragments, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) count += countRootFields(fragment.selectionSet, fragments, seen);
    }
  }
  return count;
}

/**
 * Bounds the writes one request may carry: one mutation field for the public (so 250 aliased registrations
 * cannot ride in one request), a few for anyone signed in. Checked before anything executes.
 */
export function operationLimitsPlugin(limits: { publicMutationFields: number; mutationFields: number }): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          const max = contextValue.viewer.role === 'PUBLIC' ? limits.publicMutationFields : limits.mutationFields;
          const count = countRootFields(operation.selectionSet, fragments);
          if (count > max) {
            throw new GraphQLError(`This request may carry at most ${max} mutation field(s), it has ${count}: send them separately.`, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
