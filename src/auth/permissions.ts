import { allow, deny, race, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import { actsOnSelf, forbiddenError, hasScope, isAdmin, isAnyone, isCustomer, isSelfStaff, isStaff, isSignedOut, isStaffMember, isStaffOrSelf, mayReadCustomer } from './rules.js';

/**
 * Who may read and call what, field by field. Anything not named here is denied (fallbackRule: deny),
 * and a test fails when a schema field is reachable by no entry of this map. Alternatives are `race`:
 * tried in order, stopping at the first that allows (`or` would evaluate every one on every field).
 */
export const permissionMap = {
  Query: {
    viewer: isAnyone,
    me: isCustomer,
    attributeDefinitions: isAnyone,
    consentPurposes: isAnyone,
    // Service clients see only customers who granted their purpose (the resolvers filter, the Customer
    // rules check again field by field).
    customer: race(isStaff, hasScope('customers:read')),
    customers: race(isStaff, hasScope('customers:read')),
    changeEvents: race(isStaff, hasScope('profiles:subscribe')),
    staffMembers: isAdmin,
    serviceClients: isAdmin,
    serviceClient: isAdmin,
    // Support may see which connectors exist and how delivery goes; only administrators change them.
    connectors: isStaff,
    connector: isStaff,
  },
  Mutation: {
    capture: isAnyone,
    register: isSignedOut,
    signIn: isAnyone,
    refresh: isAnyone,
    startRecovery: isAnyone,
    completeRecovery: isAnyone,
    staffSignIn: isAnyone,
    signOut: isCustomer,
    staffSignOut: isStaffMember,
    changeStaffPassword: isStaff,
    resetStaffPassword: isAdmin,
    enrollStaffTotp: isStaffMember,
    confirmStaffTotp: isStaffMember,
    removeStaffTotp: isStaff,
    resetStaffTotp: isAdmin,
    revokeSession: race(isStaff, isCustomer),
    revokeOtherSessions: isCustomer,
    stepUp: isCustomer,
    changePassword: isCustomer,
    changeEmail: isCustomer,
    enrollTotp: isCustomer,
    confirmTotp: isCustomer,
    removeTotp: isCustomer,
    regenerateRecoveryCodes: isCustomer,
    startPasskeyRegistration: isCustomer,
    finishPasskeyRegistration: isCustomer,
    startPasskeyStepUp: isCustomer,
    renamePasskey: isCustomer,
    removePasskey: isCustomer,
    // A customer changes their own profile and consents; an administrator anyone's (imports, corrections).
    updateProfile: race(isAdmin, actsOnSelf),
    grantConsent: race(isAdmin, actsOnSelf),
    withdrawConsent: race(isAdmin, actsOnSelf),
    // A customer deletes their own account (after a step-up); an administrator anyone's, for an erasure
    // request received another way. Agents may disable an account, never erase one: it cannot be undone.
    exportMyData: isCustomer,
    deleteMyAccount: isCustomer,
    deleteCustomer: isAdmin,
    disableCustomer: isStaff,
    enableCustomer: isStaff,
    unlockCustomer: isStaff,
    defineAttribute: isAdmin,
    removeAttribute: isAdmin,
    definePurpose: isAdmin,
    createStaffMember: isAdmin,
    setStaffRole: isAdmin,
    setStaffEnabled: isAdmin,
    createServiceClient: isAdmin,
    updateServiceClient: isAdmin,
    rotateServiceClientSecret: isAdmin,
    setServiceClientEnabled: isAdmin,
    createConnector: isAdmin,
    updateConnector: isAdmin,
    setConnectorEnabled: isAdmin,
    testConnector: isAdmin,
    replayDeadLetters: isAdmin,
  },
  // The public learns only the id of the customer it captured or registered, and whether it was new;
  // a customer reads their own record (and, right after signIn or refresh, the one they signed in as).
  CapturePayload: isAnyone,
  RegisterPayload: isAnyone,
  SessionPayload: isAnyone,
  Customer: {
    '*': mayReadCustomer,
    id: isAnyone,
    // How a customer signs in is for them and for support, never for a service client.
    sessions: isStaffOrSelf,
    stepUpMethods: isStaffOrSelf,
    // Whether factors are enrolled is for the customer and support; the secrets are never in the graph.
    totpEnabled: isStaffOrSelf,
    recoveryCodesRemaining: isStaffOrSelf,
    // A customer's devices: for them, and for support helping them (names and dates, never key material).
    passkeys: isStaffOrSelf,
    // Sales data from the CRM: for staff.
    crm: isStaff,
  },
  Viewer: isAnyone,
  AttributeDefinition: isAnyone,
  ConsentPurpose: isAnyone,
  // Reachable only through Customer fields, which already checked who may read that customer.
  AttributeValue: allow,
  Consent: allow,
  ConsentRecord: allow,
  Session: race(isStaff, isCustomer),
  StepUpPayload: isCustomer,
  TotpEnrollment: race(isCustomer, isStaffMember),
  ConfirmTotpPayload: isCustomer,
  RecoveryCodesPayload: isCustomer,
  ChangeEmailPayload: isCustomer,
  DataExportPayload: isCustomer,
  ConsentPayload: race(isAdmin, isCustomer),
  UpdateProfilePayload: race(isAdmin, isCustomer),
  CustomerPayload: isStaff,
  CustomerConnection: race(isStaff, hasScope('customers:read')),
  // Edges and page info are reachable only through their connection's fields, which already checked who
  // may read the connection: a rule here would only run again on every edge of every page.
  CustomerEdge: allow,
  PageInfo: allow,
  ChangeEvent: race(isStaff, hasScope('profiles:subscribe')),
  ChangeEventConnection: race(isStaff, hasScope('profiles:subscribe')),
  ChangeEventEdge: allow,
  StaffMember: race(isAdmin, isSelfStaff),
  StaffSessionPayload: isAnyone,
  ServiceClient: isAdmin,
  IssuedClient: isAdmin,
  CrmProfile: isStaff,
  PasskeyCeremony: isCustomer,
  // Reachable only through Customer.passkeys and the customer's own passkey mutations.
  Passkey: race(isStaff, isCustomer),
  // Settings are non-secret by contract; secrets have no field at all.
  Connector: isStaff,
  FieldMapping: isStaff,
  ConnectorHealth: isStaff,
  ConnectorTestResult: isAdmin,
} satisfies IRules;

/** Fail closed: graphql-shield's own defaults allow unnamed fields and swallow resolver errors. */
export const shieldOptions = {
  fallbackRule: deny,
  fallbackError: forbiddenError,
  // Resolver errors (NOT_FOUND, CONFLICT, ...) pass through instead of becoming the fallback error.
  allowExternalErrors: true,
  debug: false,
};

export const permissions = shield(permissionMap, shieldOptions);
