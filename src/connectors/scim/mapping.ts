import type { Delivery } from '../connector.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * The target names a new SCIM connector maps Kith's profile fields to: attribute paths of the core User
 * schema (RFC 7643 section 4.1). A path may name a sub-attribute (`name.givenName`) or an extension
 * attribute by its schema URN (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`).
 * userName, emails, externalId and active are always set by the connector.
 */
export const SCIM_DEFAULT_FIELD_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  locale: 'locale',
});

type Scalar = string | number | boolean;
type Resource = Record<string, unknown>;

interface AttributePath {
  /** The extension schema URN, or undefined for a core attribute. */
  readonly schema: string | undefined;
  readonly attribute: string;
  readonly sub: string | undefined;
}

/** Splits `urn:...:User:department` or `name.givenName` (extension URNs end at their last colon). */
export function attributePath(path: string): AttributePath {
  const colon = path.startsWith('urn:') ? path.lastIndexOf(':') : -1;
  const schema = colon > 0 ? path.slice(0, colon) : undefined;
  const [attribute = '', sub] = path.slice(colon + 1).split('.', 2);
  return { schema, attribute, sub };
}

function place(resource: Resource, path: AttributePath, value: Scalar): void {
  const container = path.schema ? ((resource[path.schema] ??= {}) as Resource) : resource;
  if (path.sub === undefined) container[path.attribute] = value;
  else ((container[path.attribute] ??= {}) as Resource)[path.sub] = value;
}

/** The attributes a delivery sets: the mapped non-null fields, plus the identity attributes the connector owns. */
export function userAttributes(delivery: Delivery): Resource {
  const resource: Resource = {};
  for (const [name, value] of Object.entries(delivery.fields)) if (value !== null) place(resource, attributePath(name), value);
  resource.userName = delivery.email;
  resource.externalId = delivery.customerId;
  resource.emails = [{ value: delivery.email, type: 'work', primary: true }];
  resource.active = true;
  return resource;
}

/** The extension schemas a resource uses (its keys that are URNs). */
function extensionSchemas(resource: Resource): string[] {
  return Object.keys(resource).filter((key) => key.startsWith('urn:'));
}

/** The body of `POST /Users` creating the customer. */
export function createBody(delivery: Delivery): Resource {
  const attributes = userAttributes(delivery);
  return { schemas: [USER_SCHEMA, ...extensionSchemas(attributes)], ...attributes };
}

/**
 * The PatchOp updating an existing user: one `replace` without a path whose value holds every set attribute
 * (sub-attributes not named stay as they are, RFC 7644 section 3.5.2.3), and a `remove` per cleared field.
 */
export function updateBody(delivery: Delivery): Resource {
  const cleared = Object.entries(delivery.fields).filter(([, value]) => value === null);
  const operations: Resource[] = [{ op: 'replace', value: userAttributes(delivery) }];
  for (const [path] of cleared) operations.push({ op: 'remove', path });
  return { schemas: [PATCH_SCHEMA], Operations: operations };
}

/** The PatchOp that deprovisions a user without deleting it. */
export function deactivateBody(): Resource {
  return { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: false }] };
}

/** A SCIM filter string literal (a JSON string, RFC 7644 section 3.4.2.2). */
function literal(value: string): string {
  return JSON.stringify(value);
}

/**
 * Finds the customer's user by the id Kith set, or by userName (the email) for users made before. A delete
 * finds it by the id alone: an erased customer's address may belong to someone else by now.
 */
export function lookupFilter(delivery: Delivery): string {
  const byId = `externalId eq ${literal(delivery.customerId)}`;
  return byUserName(delivery) ? `${byId} or userName eq ${literal(delivery.email)}` : byId;
}

/** Whether the user may be found by userName: an upsert with an email (users made before externalId was set). */
export const byUserName = (delivery: Delivery): delivery is Delivery & { email: string } => delivery.action !== 'delete' && delivery.email !== null;
