import { randomBytes } from 'node:crypto';
import type { HttpScenarioName } from './bench-options.js';
import { BENCH_PURPOSES } from './seed-data.js';

/**
 * The workloads. For floor, point, graph and capture, Kith and the bare baseline receive byte-for-byte the
 * same request body (a GraphQL `{ query, variables }` document) and must answer with the same JSON shape,
 * so one validator checks both. signin and authread (session-scenarios.ts) compare Kith with other things.
 */

/** One request: its body and its Authorization header (absent: the side's administrator token or key; null: none at all). */
export interface BenchRequest {
  readonly body: string;
  readonly authorization?: string | null;
}

/** What one side of a comparison sends, and how its answers are checked. */
export interface Workload {
  /** The next request; called once per request, so it can vary ids, emails and tokens. */
  next(): BenchRequest;
  /** Why a parsed response body is wrong, or null when it is the answer this workload expects. */
  check(body: unknown, request: BenchRequest): string | null;
}

/** What Kith's throughput is divided by. `label` names that side in the printed lines. */
export type Baseline =
  /** The bare node:http + hand-written SQL server, sent the same requests on `path`. */
  | { readonly kind: 'bare-http'; readonly label: string; readonly path: string }
  /** Kith itself, sent another workload on /graphql in the same alternating runs. */
  | { readonly kind: 'kith'; readonly label: string; readonly workload: Workload }
  /** No HTTP at all: argon2id verify() calls in a child process (argon2-baseline.ts). */
  | { readonly kind: 'argon2'; readonly label: string };

export interface Scenario extends Workload {
  readonly name: HttpScenarioName;
  readonly title: string;
  readonly baseline: Baseline;
  /** Kith's throughput divided by the baseline's must reach this on PostgreSQL; null: for information. */
  readonly target: number | null;
  /** Work before anything is sent (signing customers in, say), given Kith's /graphql URL and an administrator's token. */
  prepare?(kithGraphqlUrl: string, adminToken: string): Promise<void>;
  /** Where Kith serves this workload, when not /graphql (a path on the same origin). */
  readonly kithPath?: string;
  /** The bearer token Kith's side sends, when not the administrator's (read after prepare). */
  kithBearer?(): string;
}

/** The baseline of the four scenarios that compare Kith with the bare server. */
const bare = (path: string): Baseline => ({ kind: 'bare-http', label: 'baseline', path });

export const POINT_QUERY =
  'query($id: ID!) { customer(id: $id) { id email status givenName consents { purpose { key version } status grantedAt } } }';
export const GRAPH_QUERY =
  '{ customers(first: 50) { edges { node { id email status consents { purpose { key title version } status grantedAt } } } pageInfo { hasNextPage endCursor } } }';
export const FLOOR_QUERY = '{ viewer { role } }';
export const CAPTURE_MUTATION = 'mutation($input: CaptureInput!) { capture(input: $input) { created customer { id } } }';

/** The variables of capture, which the baseline reads from the same body. */
export interface CaptureVariables {
  input: { email: string; attributes: { name: 'company'; value: string }[]; consents: string[] };
}

type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The `data` of a response, or a reason it has none (errors, wrong shape). */
export function dataOf(body: unknown): Json | string {
  if (!isObject(body)) return 'the body is not a JSON object';
  if (body.errors !== undefined) return `errors: ${JSON.stringify(body.errors).slice(0, 300)}`;
  return isObject(body.data) ? body.data : 'the body has no data';
}

function checkConsents(consents: unknown, withTitle: boolean): string | null {
  if (!Array.isArray(consents) || consents.length === 0) return 'a seeded customer has no consents';
  for (const consent of consents) {
    if (!isObject(consent) || !isObject(consent.purpose)) return 'a consent has no purpose';
    const { purpose } = consent;
    if (!(BENCH_PURPOSES as readonly unknown[]).includes(purpose.key) || purpose.version !== 1) return 'a consent has a wrong purpose';
    if (withTitle !== (typeof purpose.title === 'string')) return 'a consent purpose title is missing or unexpected';
    if (consent.status !== 'GRANTED' || typeof consent.grantedAt !== 'string' || !ISO.test(consent.grantedAt)) {
      return 'a consent has a wrong status or grantedAt';
    }
  }
  return null;
}

export function checkCustomer(node: unknown, withGivenName: boolean): string | null {
  if (!isObject(node)) return 'a customer is missing';
  if (typeof node.id !== 'string' || typeof node.email !== 'string' || !/^bench-\d+@example\.com$/.test(node.email)) {
    return 'a customer has a wrong id or email';
  }
  if (node.status !== 'LIGHT' && node.status !== 'REGISTERED') return 'a customer has a wrong status';
  if (withGivenName && typeof node.givenName !== 'string') return 'a customer has no givenName';
  return checkConsents(node.consents, !withGivenName);
}

/** Point reads pick a random customer of `ids` for every request (authread reuses them as its baseline). */
export function pointScenario(ids: readonly string[]): Scenario {
  return {
    name: 'point',
    title: 'point read',
    baseline: bare('/point'),
    target: 0.4,
    next: () => ({ body: JSON.stringify({ query: POINT_QUERY, variables: { id: ids[Math.floor(Math.random() * ids.length)] } }) }),
    check(body, request) {
      const data = dataOf(body);
      if (typeof data === 'string') return data;
      const wanted = (JSON.parse(request.body) as { variables: { id: string } }).variables.id;
      if (!isObject(data.customer) || data.customer.id !== wanted) return `customer ${wanted} was not returned`;
      return checkCustomer(data.customer, true);
    },
  };
}

/** The first page of 50 customers, the same page every time. */
export function graphScenario(): Scenario {
  const body = JSON.stringify({ query: GRAPH_QUERY });
  return {
    name: 'graph',
    title: 'graph read (50)',
    baseline: bare('/graph'),
    target: 0.5,
    next: () => ({ body }),
    check(response) {
      const data = dataOf(response);
      if (typeof data === 'string') return data;
      const page = data.customers;
      if (!isObject(page) || !Array.isArray(page.edges) || page.edges.length !== 50) return 'the page does not have 50 edges';
      if (!isObject(page.pageInfo) || page.pageInfo.hasNextPage !== true || typeof page.pageInfo.endCursor !== 'string') {
        return 'pageInfo is wrong';
      }
      for (const edge of page.edges) {
        const problem = isObject(edge) ? checkCustomer(edge.node, false) : 'an edge is not an object';
        if (problem) return problem;
      }
      return null;
    },
  };
}

/** Captures a new customer per request: a unique email, one attribute and one consent. */
export function captureScenario(): Scenario {
  // A per-process random prefix and a counter: unique across runs, Kith and the baseline.
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  return {
    name: 'capture',
    title: 'capture',
    baseline: bare('/capture'),
    target: 0.4,
    next() {
      counter += 1;
      const variables: CaptureVariables = {
        input: {
          email: `cap-${prefix}-${counter}@example.com`,
          attributes: [{ name: 'company', value: `Company ${counter % 97}` }],
          consents: [BENCH_PURPOSES[counter % BENCH_PURPOSES.length]!],
        },
      };
      return { body: JSON.stringify({ query: CAPTURE_MUTATION, variables }) };
    },
    check(body) {
      const data = dataOf(body);
      if (typeof data === 'string') return data;
      const capture = data.capture;
      if (!isObject(capture) || capture.created !== true) return 'capture did not create a customer';
      if (!isObject(capture.customer) || typeof capture.customer.id !== 'string') return 'capture returned no customer id';
      return null;
    },
  };
}

/**
 * No database at all: Kith answers who is asking (Apollo, shield and Fastify around a trivial resolver),
 * the baseline the same JSON. Its ratio is the ceiling the stack leaves before any SQL, measured in the
 * same run as the scenarios with targets.
 */
export function floorScenario(): Scenario {
  return {
    name: 'floor',
    title: 'floor (no SQL)',
    baseline: bare('/floor'),
    target: null,
    next: () => ({ body: JSON.stringify({ query: FLOOR_QUERY }) }),
    check(body) {
      const data = dataOf(body);
      if (typeof data === 'string') return data;
      return isObject(data.viewer) && data.viewer.role === 'ADMIN' ? null : 'viewer is not an administrator';
    },
  };
}

/**
 * SCIM 2.0 create (`POST /scim/v2/Users` with a provisioning client's token) against the bare server
 * inserting the same rows (the customer, its SCIM record, its change event) in one transaction.
 */
export function scimCreateScenario(): Scenario {
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  let token = '';
  return {
    name: 'scim',
    title: 'SCIM create',
    baseline: bare('/scim'),
    target: null,
    kithPath: '/scim/v2/Users',
    kithBearer: () => token,
    async prepare(kithGraphqlUrl, adminToken) {
      const created = await fetch(kithGraphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({
          query: 'mutation($i: CreateServiceClientInput!) { createServiceClient(input: $i) { clientSecret client { clientId } } }',
          variables: { i: { name: `bench ${prefix}`, scopes: ['PROVISIONING_WRITE'] } },
        }),
      });
      const { data } = (await created.json()) as { data: { createServiceClient: { clientSecret: string; client: { clientId: string } } } };
      const response = await fetch(kithGraphqlUrl.replace(/\/graphql$/, '/oauth/token'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: data.createServiceClient.client.clientId,
          client_secret: data.createServiceClient.clientSecret,
        }).toString(),
      });
      token = ((await response.json()) as { access_token: string }).access_token;
    },
    next() {
      counter += 1;
      return {
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `scim-${prefix}-${counter}@example.com`,
          externalId: `ext-${prefix}-${counter}`,
          name: { givenName: 'Bench', familyName: `User ${counter % 97}` },
        }),
      };
    },
    check(body) {
      if (!isObject(body) || typeof body.id !== 'string' || typeof body.userName !== 'string') return 'no created user (id, userName)';
      return null;
    },
  };
}
