import { LIST_RESPONSE, MAX_RESULTS } from './list-query.js';
import { MAX_OPERATIONS } from './patch.js';
import { CORE_USER, coreUserAttributes, ENTERPRISE_USER, enterpriseUserAttributes } from './user-schema.js';

/** The discovery endpoints of RFC 7644 section 4: what this service provider supports, and its schemas. */

type Json = Record<string, unknown>;

const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

export function serviceProviderConfig(baseUrl: string): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: `An access token of a Kith service client with the provisioning:write scope (client credentials at POST /oauth/token). At most ${MAX_OPERATIONS} PATCH operations a request.`,
        specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function userResourceType(baseUrl: string): Json {
  return {
    schemas: [RESOURCE_TYPE],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A Kith customer, provisioned as a SCIM User: the primary email is the customer email.',
    schema: CORE_USER,
    schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }],
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
  };
}

export function userSchemas(baseUrl: string): Json[] {
  const schema = (id: string, name: string, description: string, attributes: unknown[]) => ({
    schemas: [SCHEMA],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${id}` },
  });
  return [
    schema(CORE_USER, 'User', 'User Account', coreUserAttributes),
    schema(ENTERPRISE_USER, 'EnterpriseUser', 'Enterprise User', enterpriseUserAttributes),
  ];
}

export const listOf = (resources: Json[]): Json => ({
  schemas: [LIST_RESPONSE],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});
