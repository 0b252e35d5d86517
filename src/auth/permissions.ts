import { deny, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import { forbiddenError, isAnyone, isCustomer, isOperator, isOperatorOrCustomer, isOperatorOrSelf, isSelf } from './rules.js';

/**
 * Who may read and call what, field by field. Anything not named here is denied (fallbackRule: deny),
 * and a test fails when a schema field is reachable by no entry of this map.
 */
export const permissionMap = {
  Query: {
    viewer: isAnyone,
    me: isCustomer,
    attributeDefinitions: isAnyone,
    consentPurposes: isAnyone,
    customer: isOperator,
    customers: isOperator,
    changeEvents: isOperator,
  },
  Mutation: {
    capture: isAnyone,
    register: isAnyone,
    signIn: isAnyone,
    refresh: isAnyone,
    signOut: isCustomer,
    revokeSession: isOperatorOrCustomer,
    revokeOtherSessions: isCustomer,
    stepUp: isCustomer,
    changePassword: isCustomer,
    startPasskeyRegistration: isCustomer,
    finishPasskeyRegistration: isCustomer,
    startPasskeyStepUp: isCustomer,
    renamePasskey: isCustomer,
    removePasskey: isCustomer,
    updateProfile: isOperator,
    disableCustomer: isOperator,
    enableCustomer: isOperator,
    grantConsent: isOperator,
    withdrawConsent: isOperator,
    defineAttribute: isOperator,
    removeAttribute: isOperator,
    definePurpose: isOperator,
  },
  // The public learns only the id of the customer it captured or registered, and whether it was new;
  // a customer reads their own record (and, right after signIn or refresh, the one they signed in as).
  CapturePayload: isAnyone,
  RegisterPayload: isAnyone,
  SessionPayload: isAnyone,
  // A customer's passkeys are theirs alone: not even the operator lists them.
  Customer: { '*': isOperatorOrSelf, id: isAnyone, passkeys: isSelf },
  Viewer: isAnyone,
  AttributeDefinition: isAnyone,
  ConsentPurpose: isAnyone,
  // Reachable only through Customer fields, which already checked isOperatorOrSelf.
  AttributeValue: isOperatorOrCustomer,
  Consent: isOperatorOrCustomer,
  ConsentRecord: isOperatorOrCustomer,
  Session: isOperatorOrCustomer,
  StepUpPayload: isCustomer,
  PasskeyCeremony: isCustomer,
  // Reachable only through Customer.passkeys (isSelf) and the customer's own passkey mutations.
  Passkey: isCustomer,
  ConsentPayload: isOperator,
  CustomerConnection: isOperator,
  CustomerEdge: isOperator,
  CustomerPayload: isOperator,
  UpdateProfilePayload: isOperator,
  ChangeEvent: isOperator,
  ChangeEventConnection: isOperator,
  ChangeEventEdge: isOperator,
  PageInfo: isOperator,
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
