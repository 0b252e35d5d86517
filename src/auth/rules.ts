import { GraphQLError } from 'graphql';
import { allow, race, rule } from 'graphql-shield';
import type { Consent } from '../domain/consents/consent.js';
import { hasGranted } from '../domain/consents/consent-rules.js';
import { type Scope, scopes } from '../domain/principals/service-client.js';
import type { Viewer } from './viewer.js';

/** What the rules read from the GraphQL context. */
export interface RuleContext {
  viewer: Viewer;
  /** Set by signIn and refresh: the customer who just proved who they are, before any token is sent. */
  signedInAs?: string;
  /** Set by staffSignIn: the staff member who just proved who they are. */
  staffSignedInAs?: string;
  /**
   * KITH_STAFF_MFA=required and a staff token without a TOTP proof: the staff member, who is served as the
   * public (the viewer is PUBLIC) except for enrolling a TOTP and signing out (src/auth/viewer.ts).
   */
  staffWithoutTotp?: string;
  /** A customer's current consents, batched per request (the GraphQL context's loader). */
  loaders?: { consents: { load(customerId: string): Promise<Consent[]> } };
}

/**
 * The two refusals, made once: a rule that refuses inside `race` (whose next branch may still allow) must
 * not pay for a new error and its stack on every field. graphql-js never changes an error a resolver
 * returns; it wraps it in a new one carrying the field's path, with these extensions.
 */
const FORBIDDEN = new GraphQLError('You are not allowed to do this.', { extensions: Object.freeze({ code: 'FORBIDDEN' }) });
const SIGN_IN_REQUIRED = new GraphQLError('Authentication required: send Authorization: Bearer <token>.', {
  extensions: Object.freeze({ code: 'UNAUTHENTICATED' }),
});

const TOTP_REQUIRED = new GraphQLError(
  'Staff must sign in with a TOTP code here (KITH_STAFF_MFA=required): enrol one with enrollStaffTotp and confirmStaffTotp.',
  { extensions: Object.freeze({ code: 'FORBIDDEN' }) },
);

export const forbiddenError = () => FORBIDDEN;

/**
 * The public is told to authenticate (UNAUTHENTICATED), a staff member whose token lacks the TOTP that
 * KITH_STAFF_MFA requires to enrol one, anyone else signed in that they may not (FORBIDDEN).
 */
const refuse = (ctx: RuleContext) => (ctx.staffWithoutTotp !== undefined ? TOTP_REQUIRED : ctx.viewer.role === 'PUBLIC' ? SIGN_IN_REQUIRED : FORBIDDEN);

// Who-you-are rules are cached per request by name ('contextual'): the viewer does not change within one.

const isStaffViewer = (viewer: Viewer): viewer is Extract<Viewer, { role: 'AGENT' | 'ADMIN' }> => viewer.role === 'AGENT' || viewer.role === 'ADMIN';

/** Whether the customer `parent` is the one asking, or the one a signIn or refresh in this request authenticated. */
const isSelfOf = (parent: { id?: string } | undefined, ctx: RuleContext) =>
  parent?.id !== undefined && (parent.id === ctx.signedInAs || (ctx.viewer.role === 'CUSTOMER' && parent.id === ctx.viewer.customerId));

/**
 * Whether a service client with `customers:read` may read the customer `parent`: only if they granted the
 * client's purpose, so personal data leaves only under consent. The consents come from the request's loader.
 */
async function clientMayRead(parent: { id?: string } | undefined, ctx: RuleContext): Promise<boolean> {
  const { viewer } = ctx;
  if (viewer.role !== 'SERVICE_CLIENT' || !viewer.scopes.includes('customers:read') || !parent?.id || !ctx.loaders) return false;
  return hasGranted(await ctx.loaders.consents.load(parent.id), viewer.purposeKey);
}

/** A customer signed in as themselves. */
export const isCustomer = rule({ cache: 'contextual' })((_p, _a, ctx: RuleContext) => ctx.viewer.role === 'CUSTOMER' || refuse(ctx));

/** A support agent or an administrator: administrators can do all an agent can. */
export const isStaff = rule({ cache: 'contextual' })((_p, _a, ctx: RuleContext) => isStaffViewer(ctx.viewer) || refuse(ctx));

/** An administrator: manages clients, catalogs and staff. */
export const isAdmin = rule({ cache: 'contextual' })((_p, _a, ctx: RuleContext) => ctx.viewer.role === 'ADMIN' || refuse(ctx));

/** Any staff token, with or without the TOTP that KITH_STAFF_MFA may require: signing out and enrolling one. */
export const isStaffMember = rule({ cache: 'contextual' })(
  (_p, _a, ctx: RuleContext) => isStaffViewer(ctx.viewer) || ctx.staffWithoutTotp !== undefined || refuse(ctx),
);

const scopeRule = (scope: Scope) =>
  rule(`scope:${scope}`, { cache: 'contextual' })(
    (_p, _a, ctx: RuleContext) => (ctx.viewer.role === 'SERVICE_CLIENT' && ctx.viewer.scopes.includes(scope)) || refuse(ctx),
  );
const scopeRules = Object.fromEntries(scopes.map((scope) => [scope, scopeRule(scope)])) as Record<Scope, ReturnType<typeof scopeRule>>;

/** A service client whose token carries `scope`. */
export const hasScope = (scope: Scope) => scopeRules[scope];

/**
 * The customer this object is: the signed-in customer reading their own profile, or the customer a signIn
 * or refresh in this request just authenticated. Cached per customer id, since it depends on the parent.
 */
export const isSelf = rule({ cache: (parent: { id?: string }) => `self:${parent?.id}` })((parent: { id?: string }, _args, ctx: RuleContext) =>
  isSelfOf(parent, ctx),
);

/** The staff member this object is: their own record, or the one a staffSignIn in this request signed in. */
export const isSelfStaff = rule({ cache: (parent: { id?: string }) => `self-staff:${parent?.id}` })(
  (parent: { id?: string }, _args, ctx: RuleContext) =>
    parent?.id !== undefined &&
    (parent.id === ctx.staffSignedInAs || parent.id === ctx.staffWithoutTotp || (isStaffViewer(ctx.viewer) && parent.id === ctx.viewer.staffId)),
);

/** A signed-in customer acting on their own account: the `input.customerId` argument is theirs. */
export const actsOnSelf = rule({ cache: 'no_cache' })((_p, args: { input?: { customerId?: string } }, ctx: RuleContext) =>
  ctx.viewer.role === 'CUSTOMER' && args.input?.customerId === ctx.viewer.customerId ? true : refuse(ctx),
);

/** Staff, or the customer themselves: a customer's sessions, factors and history. */
export const isStaffOrSelf = race(isStaff, isSelf);

/**
 * Staff, the customer themselves, or a consented service client: a customer's profile fields. One rule
 * rather than a race of three: it guards every field of every customer on a
 * page, and each branch of a race is another async step per field. Staff share one cached answer per
 * request; anyone else gets one per customer.
 */
export const mayReadCustomer = rule('mayReadCustomer', {
  cache: (parent: { id?: string }, _args: unknown, ctx: RuleContext) => (isStaffViewer(ctx.viewer) ? 'staff' : `customer:${parent?.id}`),
})(async (parent: { id?: string }, _args, ctx: RuleContext) => {
  return isStaffViewer(ctx.viewer) || isSelfOf(parent, ctx) || (await clientMayRead(parent, ctx)) || refuse(ctx);
});

/** Anyone, signed in or not: capture, sign-in and the public catalogs. */
export const isAnyone = allow;

/**
 * Only someone not signed in: self-registration. Staff and service clients provision customers with
 * capture or SCIM; registering would let them set a customer's password, and grant their purposes on a
 * light account they may not read, to read it in the payload.
 */
export const isSignedOut = rule({ cache: 'contextual' })((_p, _a, ctx: RuleContext) => ctx.viewer.role === 'PUBLIC' || FORBIDDEN);
