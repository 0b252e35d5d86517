import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether the operation selects `path` below the field being resolved, through inline fragments and
 * fragment spreads. @skip and @include are not evaluated: a skipped selection counts as selected, which
 * only costs an unused read.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const walk = (set: SelectionSetNode | undefined, depth: number): boolean => {
    if (!set) return false;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === path[depth] && (depth === path.length - 1 || walk(selection.selectionSet, depth + 1))) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (walk(selection.selectionSet, depth)) return true;
      } else if (walk(info.fragments[selection.name.value]?.selectionSet, depth)) {
        return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => walk(node.selectionSet, 0));
}
