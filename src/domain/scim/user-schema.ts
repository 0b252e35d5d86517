/** The SCIM 2.0 User schema as Kith serves it (RFC 7643 sections 4.1 and 4.3), and attribute lookup. */

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export type AttributeType = 'string' | 'boolean' | 'dateTime' | 'reference' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

export interface ScimAttribute {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: ScimAttribute[];
}

type Options = Partial<Omit<ScimAttribute, 'name' | 'description'>>;

function attribute(name: string, description: string, options: Options = {}): ScimAttribute {
  return {
    name,
    type: 'string',
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

const complex = (name: string, description: string, subAttributes: ScimAttribute[], options: Options = {}) =>
  attribute(name, description, { type: 'complex', subAttributes, ...options });

/** The type, primary and display sub-attributes every multi-valued attribute below shares. */
function plural(name: string, description: string, types: string[], value: ScimAttribute): ScimAttribute {
  return complex(name, description, [
    value,
    attribute('display', 'A human-readable name, primarily used for display purposes.'),
    attribute('type', `A label indicating the attribute's function, e.g. ${types.map((t) => `'${t}'`).join(', ')}.`, { canonicalValues: types }),
    attribute('primary', "Whether this is the primary value; the primary email is the customer's email.", { type: 'boolean' }),
  ], { multiValued: true });
}

/** Attributes of every resource (RFC 7643 section 3.1). */
export const commonAttributes: ScimAttribute[] = [
  attribute('id', 'Unique identifier for the SCIM resource as defined by the service provider (the Kith customer id).', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute('externalId', 'An identifier for the resource as defined by the provisioning client.', { caseExact: true }),
  complex(
    'meta',
    'Resource metadata.',
    [
      attribute('resourceType', 'The name of the resource type of the resource.', { caseExact: true, mutability: 'readOnly' }),
      attribute('created', 'When the resource was added to the service provider.', { type: 'dateTime', mutability: 'readOnly' }),
      attribute('lastModified', 'When the resource was last modified.', { type: 'dateTime', mutability: 'readOnly' }),
      attribute('location', 'The URI of the resource being returned.', { type: 'reference', referenceTypes: ['uri'], mutability: 'readOnly' }),
      attribute('version', 'The version (ETag) of the resource being returned.', { caseExact: true, mutability: 'readOnly' }),
    ],
    { mutability: 'readOnly' },
  ),
  attribute('schemas', 'The schema URIs the resource uses.', { type: 'reference', multiValued: true, caseExact: true, mutability: 'readOnly', returned: 'always' }),
];

export const coreUserAttributes: ScimAttribute[] = [
  attribute('userName', "Unique identifier for the User, chosen by the client (unique, case-insensitive); independent of the customer's email.", {
    required: true,
    uniqueness: 'server',
  }),
  complex('name', "The components of the user's real name.", [
    attribute('formatted', 'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.'),
    attribute('familyName', 'The family name of the User, or last name (the customer attribute familyName).'),
    attribute('givenName', 'The given name of the User, or first name (the customer attribute givenName).'),
    attribute('middleName', 'The middle name(s) of the User.'),
    attribute('honorificPrefix', "The honorific prefix(es) of the User, e.g. 'Ms.'."),
    attribute('honorificSuffix', "The honorific suffix(es) of the User, e.g. 'III'."),
  ]),
  attribute('displayName', 'The name of the User, suitable for display to end-users.'),
  attribute('nickName', 'The casual way to address the user in real life.'),
  attribute('profileUrl', "A fully qualified URL pointing to a page representing the User's online profile.", { type: 'reference', referenceTypes: ['external'] }),
  attribute('title', "The user's title, such as 'Vice President'."),
  attribute('userType', "Used to identify the relationship between the organization and the user, e.g. 'Employee'."),
  attribute('preferredLanguage', "The User's preferred written or spoken language, e.g. 'en-US'."),
  attribute('locale', "The User's default location for localization, e.g. 'en-US' (the customer attribute locale)."),
  attribute('timezone', "The User's time zone in the Olson time zone database format, e.g. 'America/Los_Angeles'."),
  attribute('active', 'The administrative status of the User: false disables the customer, true enables it.', { type: 'boolean' }),
  plural('emails', 'Email addresses for the user; the primary one is the customer email (without emails, a userName that is an email address).', ['work', 'home', 'other'], attribute('value', 'An email address.')),
  plural(
    'phoneNumbers',
    'Phone numbers for the User; the primary one (or the only one) is the customer phoneNumber, in E.164 form.',
    ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
    attribute('value', 'A phone number.'),
  ),
  plural('ims', 'Instant messaging addresses for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'], attribute('value', 'An instant messaging address.')),
  plural('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], attribute('value', 'The URL of a photo.', { type: 'reference', referenceTypes: ['external'] })),
  complex(
    'addresses',
    'A physical mailing address for this User.',
    [
      attribute('formatted', 'The full mailing address, formatted for display or use with a mailing label.'),
      attribute('streetAddress', 'The full street address component.'),
      attribute('locality', 'The city or locality component.'),
      attribute('region', 'The state or region component.'),
      attribute('postalCode', 'The zip code or postal code component.'),
      attribute('country', 'The country name component (ISO 3166-1 alpha-2).'),
      attribute('type', "A label indicating the attribute's function, e.g. 'work' or 'home'.", { canonicalValues: ['work', 'home', 'other'] }),
      attribute('primary', 'Whether this is the primary address.', { type: 'boolean' }),
    ],
    { multiValued: true },
  ),
];

export const enterpriseUserAttributes: ScimAttribute[] = [
  attribute('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
  attribute('costCenter', 'Identifies the name of a cost center.'),
  attribute('organization', 'Identifies the name of an organization.'),
  attribute('division', 'Identifies the name of a division.'),
  attribute('department', 'Identifies the name of a department.'),
  complex('manager', "The User's manager.", [
    attribute('value', 'The id of the SCIM resource representing the User\'s manager.', { caseExact: true }),
    attribute('$ref', 'The URI of the SCIM resource representing the User\'s manager.', { type: 'reference', referenceTypes: ['User'] }),
    attribute('displayName', "The displayName of the User's manager.", { mutability: 'readOnly' }),
  ]),
];

/** The extension's object in a resource, read like a complex attribute named by the extension URN. */
export const enterpriseExtension: ScimAttribute = complex(ENTERPRISE_USER, 'The enterprise User extension.', enterpriseUserAttributes);

export type SchemaId = 'core' | 'enterprise';

/** A resolved attribute reference: the schema, the top-level attribute and perhaps one sub-attribute, canonically spelled. */
export interface AttributeRef {
  schema: SchemaId;
  attribute: ScimAttribute;
  sub: ScimAttribute | null;
}

/** The JSON key a ref's top-level attribute lives under: its name, or the extension URN's object. */
export function refKey(ref: AttributeRef): string {
  return ref.schema === 'enterprise' ? `${ENTERPRISE_USER}:${ref.attribute.name}` : ref.attribute.name;
}

/** The canonical dotted path of a ref, e.g. `name.givenName` or `urn:...:enterprise:2.0:User:manager.value`. */
export function refPath(ref: AttributeRef): string {
  return ref.sub ? `${refKey(ref)}.${ref.sub.name}` : refKey(ref);
}

const byName = (list: readonly ScimAttribute[], name: string) => list.find((a) => a.name.toLowerCase() === name.toLowerCase());

/**
 * Resolves an attribute path as written (any case, optionally URN-prefixed) against the User schema.
 * Returns null when the schema has no such attribute.
 */
export function resolveAttribute(uri: string | null, name: string, sub: string | null): AttributeRef | null {
  let schema: SchemaId;
  let attribute: ScimAttribute | undefined;
  if (uri === null || uri.toLowerCase() === CORE_USER.toLowerCase()) {
    schema = 'core';
    attribute = byName(coreUserAttributes, name) ?? byName(commonAttributes, name);
  } else if (uri.toLowerCase() === ENTERPRISE_USER.toLowerCase()) {
    schema = 'enterprise';
    attribute = byName(enterpriseUserAttributes, name);
  } else {
    return null;
  }
  if (!attribute) return null;
  if (sub === null) return { schema, attribute, sub: null };
  const subAttribute = attribute.subAttributes ? byName(attribute.subAttributes, sub) : undefined;
  return subAttribute ? { schema, attribute, sub: subAttribute } : null;
}

/** The attribute a ref names: the sub-attribute when there is one. */
export const leafOf = (ref: AttributeRef): ScimAttribute => ref.sub ?? ref.attribute;
