import { GraphQLError } from 'graphql';
import { allow, or, rule } from 'graphql-shield';
import type { Viewer } from './viewer.js';

/** What the rules read from the GraphQL context. */
export interface RuleContext {
  viewer: Viewer;
  /** Set by signIn and refresh: the customer who just proved who they are, before any token is sent. */
  signedInAs?: string;
}

export const forbiddenError = () => new GraphQLError('You are not allowed to do this.', { extensions: { code: 'FORBIDDEN' } });
const signInRequired = () => new GraphQLError('Authentication required: send Authorization: Bearer <token>.', { extensions: { code: 'UNAUTHENTICATED' } });

/**
 * The operator, presenting KITH_OPERATOR_KEY. The public is told to authenticate (UNAUTHENTICATED), anyone
 * signed in that they may not (FORBIDDEN). Cached per request: who is asking does not change within one.
 */
export const isOperator = rule({ cache: 'contextual' })((_parent, _args, ctx: RuleContext) => {
  if (ctx.viewer.role === 'OPERATOR') return true;
  return ctx.viewer.role === 'PUBLIC' ? signInRequired() : forbiddenError();
});

/** A customer signed in as themselves. */
export const isCustomer = rule({ cache: 'contextual' })((_parent, _args, ctx: RuleContext) =>
  ctx.viewer.role === 'CUSTOMER' ? true : ctx.viewer.role === 'PUBLIC' ? signInRequired() : forbiddenError(),
);

/**
 * The customer this object is: the signed-in customer reading their own profile, or the customer a signIn
 * or refresh in this request just authenticated. Cached per customer id, since it depends on the parent.
 */
export const isSelf = rule({ cache: (parent: { id?: string }) => `self:${parent?.id}` })(
  (parent: { id?: string }, _args, ctx: RuleContext) => {
    if (parent?.id === undefined) return false;
    return parent.id === ctx.signedInAs || (ctx.viewer.role === 'CUSTOMER' && parent.id === ctx.viewer.customerId);
  },
);

/** The operator, or the customer reading their own record. */
export const isOperatorOrSelf = or(isOperator, isSelf);

/** The operator, or any signed-in customer: for objects reachable only through a field that already
 * checked isOperatorOrSelf (a customer's consents and history). */
export const isOperatorOrCustomer = or(isOperator, isCustomer);

/** Anyone, signed in or not: capture, register, sign-in and the public catalogs. */
export const isAnyone = allow;
