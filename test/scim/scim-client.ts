import { randomUUID } from 'node:crypto';
import type { TestKith } from '../support/kith.js';

type ClientScope = 'CUSTOMERS_READ' | 'SEGMENTS_READ' | 'PROFILES_SUBSCRIBE' | 'PROVISIONING_WRITE';

export interface ScimResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** A service client made by the worker's administrator, and an access token with all its scopes. */
export async function clientToken(k: TestKith, scopes: ClientScope[]): Promise<{ token: string; clientId: string }> {
  const { createServiceClient } = await k.ok(
    `mutation($input: CreateServiceClientInput!) { createServiceClient(input: $input) { clientSecret client { clientId } } }`,
    { input: { name: `scim ${randomUUID()}`, scopes } },
    { as: 'admin' },
  );
  const clientId = createServiceClient.client.clientId as string;
  const response = await fetch(k.url.replace(/\/graphql$/, '/oauth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: createServiceClient.clientSecret }).toString(),
  });
  return { token: ((await response.json()) as { access_token: string }).access_token, clientId };
}

/** Requests against /scim/v2 of `k` with a bearer token (or none). */
export function scimClient(k: TestKith, token: string | null) {
  const base = k.url.replace(/\/graphql$/, '/scim/v2');
  return {
    base,
    async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
    },
    /** GET /Users with the filter (URL-encoded) and other parameters. */
    list(parameters: Record<string, string>) {
      return this.request('GET', `/Users?${new URLSearchParams(parameters).toString()}`);
    },
  };
}

export type ScimClient = ReturnType<typeof scimClient>;

export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A provisioning client of `k` (provisioning:write) and its client id. */
export async function provisioner(k: TestKith): Promise<{ s: ScimClient; clientId: string }> {
  const client = await clientToken(k, ['PROVISIONING_WRITE']);
  return { s: scimClient(k, client.token), clientId: client.clientId };
}
