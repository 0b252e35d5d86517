import { unauthenticated } from '../../domain/errors.js';
import { checkId } from '../../domain/input-bounds.js';
import type { Scope } from '../../domain/principals/service-client.js';
import type { StaffMember } from '../../domain/principals/staff.js';
import type { ClientScope, Resolvers } from '../__generated__/resolvers-types.js';
import type { GraphQLContext } from '../context.js';

/** CUSTOMERS_READ <-> customers:read: the GraphQL enum names the OAuth scope strings. */
export const scopeOf = (value: ClientScope): Scope => value.toLowerCase().replace('_', ':') as Scope;
export const clientScopeOf = (scope: Scope): ClientScope => scope.toUpperCase().replace(':', '_') as ClientScope;

type StaffViewer = Extract<GraphQLContext['viewer'], { role: 'AGENT' | 'ADMIN' }>;

/** The staff member signed in, with or without the TOTP that KITH_STAFF_MFA may require. */
function signedInStaff(ctx: GraphQLContext): Pick<StaffViewer, 'staffId' | 'mfa'> {
  if (ctx.viewer.role === 'AGENT' || ctx.viewer.role === 'ADMIN') return ctx.viewer;
  if (ctx.staffWithoutTotp !== undefined) return { staffId: ctx.staffWithoutTotp, mfa: false };
  throw unauthenticated('Sign in as staff first.');
}

/** A new staff token for this client; the rest of the operation may read the member it is for (see isSelfStaff). */
async function staffSession(ctx: GraphQLContext, issued: Promise<{ accessToken: string; expiresIn: number; member: StaffMember }>) {
  const { accessToken, expiresIn, member } = await issued;
  ctx.staffSignedInAs = member.id;
  return { accessToken, expiresIn, tokenType: 'Bearer', staffMember: member };
}

export const principalResolvers: Resolvers = {
  Query: {
    staffMembers: (_, __, { services }) => services.staff.list(),
    serviceClients: (_, __, { services }) => services.clients.list(),
    serviceClient: (_, { id }, { services }) => services.clients.findById(checkId(id, 'id')),
  },
  Mutation: {
    staffSignIn: (_, { input }, ctx) => staffSession(ctx, ctx.services.staff.signIn({ ...input, ip: ctx.request.ip })),
    staffSignOut: async (_, __, ctx) => {
      await ctx.services.staff.signOut(signedInStaff(ctx).staffId);
      return true;
    },
    changeStaffPassword: (_, { input }, ctx) => {
      const staff = signedInStaff(ctx);
      return staffSession(ctx, ctx.services.staff.changePassword(staff.staffId, input.currentPassword, input.newPassword, staff.mfa));
    },
    enrollStaffTotp: (_, { currentPassword }, ctx) => ctx.services.staff.enrollTotp(signedInStaff(ctx).staffId, currentPassword),
    confirmStaffTotp: (_, { code }, ctx) => staffSession(ctx, ctx.services.staff.confirmTotp(signedInStaff(ctx).staffId, code)),
    removeStaffTotp: (_, { currentPassword }, ctx) => staffSession(ctx, ctx.services.staff.removeTotp(signedInStaff(ctx).staffId, currentPassword)),
    resetStaffTotp: (_, { id }, ctx) => ctx.services.staff.resetTotp(checkId(id, 'id'), signedInStaff(ctx).staffId),
    resetStaffPassword: (_, { id, newPassword }, ctx) => ctx.services.staff.resetPassword(checkId(id, 'id'), newPassword, signedInStaff(ctx).staffId),
    createStaffMember: (_, { input }, { services }) =>
      services.staff.create({ email: input.email, name: input.name, role: input.role, password: input.initialPassword }),
    setStaffRole: (_, { id, role }, { services }) => services.staff.setRole(checkId(id, 'id'), role),
    setStaffEnabled: (_, { id, enabled }, { services }) => services.staff.setEnabled(checkId(id, 'id'), enabled),
    createServiceClient: async (_, { input }, { services }) => {
      const { client, secret } = await services.clients.create({ name: input.name, scopes: input.scopes.map(scopeOf), purposeKey: input.purpose });
      return { client, clientSecret: secret };
    },
    updateServiceClient: (_, { input }, { services }) =>
      services.clients.update(checkId(input.id, 'id'), {
        name: input.name,
        scopes: input.scopes?.map(scopeOf),
        purposeKey: input.purpose,
        clearPurpose: input.clearPurpose ?? false,
      }),
    rotateServiceClientSecret: async (_, { id }, { services }) => {
      const { client, secret } = await services.clients.rotateSecret(checkId(id, 'id'));
      return { client, clientSecret: secret };
    },
    setServiceClientEnabled: (_, { id, enabled }, { services }) => services.clients.setEnabled(checkId(id, 'id'), enabled),
    unlockCustomer: (_, { id }, { services, actor }) => services.passwords.unlock(checkId(id, 'id'), actor),
  },
  StaffMember: {
    enabled: (member) => member.disabledAt === null,
  },
  ServiceClient: {
    scopes: (client) => client.scopes.map(clientScopeOf),
    enabled: (client) => client.disabledAt === null,
    purpose: async (client, _, { services }) =>
      client.purposeKey === null ? null : ((await services.catalog.listPurposes()).find((p) => p.key === client.purposeKey) ?? null),
  },
};
