import { GraphQLError } from 'graphql';
import { allow, rule } from 'graphql-shield';
import type { Viewer } from './viewer.js';

/** What the rules read from the GraphQL context: only who is asking. */
export interface RuleContext {
  viewer: Viewer;
}

export const forbiddenError = () => new GraphQLError('You are not allowed to do this.', { extensions: { code: 'FORBIDDEN' } });

/**
 * The operator, presenting KITH_OPERATOR_KEY. The public is told to authenticate (UNAUTHENTICATED);
 * cached per request, since who is asking does not change within one.
 */
export const isOperator = rule({ cache: 'contextual' })((_parent, _args, ctx: RuleContext) => {
  if (ctx.viewer.role === 'OPERATOR') return true;
  return new GraphQLError('Authentication required: send Authorization: Bearer <operator key>.', {
    extensions: { code: 'UNAUTHENTICATED' },
  });
});

/** Anyone, signed in or not: capture, register and the public catalogs. */
export const isAnyone = allow;
