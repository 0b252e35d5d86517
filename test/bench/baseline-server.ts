import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { announceReady, isMainModule, onShutdown } from './child-process.js';
import type { CaptureVariables } from './scenarios.js';

/**
 * The bare baseline Kith is measured against: node:http and hand-written SQL over the same tables, with no
 * framework, GraphQL, authorization rules or domain checks, answering the same JSON shapes. Run directly it
 * serves PostgreSQL through postgres.js (env BENCH_DATABASE_URL); the PGlite child reuses startBaselineServer.
 */

type SqlParam = string | number | boolean | null;
type Query = <T extends object>(text: string, params: SqlParam[]) => Promise<T[]>;

/** The two drivers behind one small interface: a query, and a transaction running queries. */
export interface SqlRunner {
  query: Query;
  transaction(work: (query: Query) => Promise<void>): Promise<void>;
}

/** postgres.js; `unsafe` with `prepare: true` keeps one prepared statement per SQL text and connection. */
export function postgresRunner(sql: postgres.Sql): SqlRunner {
  const over = (client: postgres.Sql | postgres.TransactionSql): Query =>
    async <T extends object>(text: string, params: SqlParam[]) => (await client.unsafe(text, params, { prepare: true })) as unknown as T[];
  return {
    query: over(sql),
    async transaction(work) {
      await sql.begin((tx) => work(over(tx)));
    },
  };
}

/** PGlite, in the process that owns the database (one query at a time, on the event loop). */
export function pgliteRunner(client: PGlite): SqlRunner {
  return {
    query: async <T extends object>(text: string, params: SqlParam[]) => (await client.query<T>(text, params)).rows,
    async transaction(work) {
      await client.transaction((tx) => work(async <T extends object>(text: string, params: SqlParam[]) => (await tx.query<T>(text, params)).rows));
    },
  };
}

// One statement per read: the customer (or the page) joined to its consents and their purposes.
const POINT_SQL = `
  select c.id, c.email, c.status, c.given_name, s.purpose_key, s.status as consent_status, s.granted_at, p.version
  from customers c
  left join (consents s join consent_purposes p on p.key = s.purpose_key) on s.customer_id = c.id
  where c.id = $1
  order by s.purpose_key`;

const GRAPH_SQL = `
  with page as (select id, email, status, created_at from customers order by created_at, id limit $1)
  select c.id, c.email, c.status, c.created_at, s.purpose_key, s.status as consent_status, s.granted_at, p.title, p.version
  from page c
  left join (consents s join consent_purposes p on p.key = s.purpose_key) on s.customer_id = c.id
  order by c.created_at, c.id, s.purpose_key`;

// The rows capture writes for a new customer with one attribute and one consent. `$3::text::jsonb`: the
// parameter is text, so no driver encodes the JSON a second time (a jsonb parameter would store a string).
const INSERT_CUSTOMER = `insert into customers (id, status, email, attributes, created_at, updated_at)
  values ($1, 'LIGHT', $2, $3::text::jsonb, $4::timestamptz, $4::timestamptz)`;
const INSERT_CONSENT = `insert into consents (customer_id, purpose_key, purpose_version, status, source, granted_at, updated_at)
  values ($1, $2, $3, 'GRANTED', 'FORM', $4::timestamptz, $4::timestamptz)`;
const INSERT_RECORD = `insert into consent_records (customer_id, purpose_key, purpose_version, status, source, actor, recorded_at)
  values ($1, $2, $3, 'GRANTED', 'FORM', 'operator', $4::timestamptz)`;
const INSERT_EVENTS = `insert into events (customer_id, type, changed_fields, actor, occurred_at) values
  ($1, 'customer.created', array['email', 'status', 'attributes.company'], 'operator', $2::timestamptz),
  ($1, 'consent.granted', array['consents.' || $3::text], 'operator', $2::timestamptz)`;

// What a SCIM create writes: the customer, its SCIM record and its change event.
const INSERT_SCIM_CUSTOMER = `insert into customers (id, status, email, given_name, family_name, created_at, updated_at)
  values ($1, 'LIGHT', $2, $3, $4, $5::timestamptz, $5::timestamptz)`;
const INSERT_SCIM_USER = `insert into scim_users (customer_id, user_name, external_id, document, updated_at) values ($1, $2, $3, '{}'::jsonb, $4::timestamptz)`;
const INSERT_SCIM_EVENT = `insert into events (customer_id, type, changed_fields, actor, occurred_at)
  values ($1, 'customer.created', array['email', 'status', 'givenName', 'familyName'], 'client:bench', $2::timestamptz)`;

interface ScimUserBody {
  userName: string;
  externalId?: string;
  name?: { givenName?: string; familyName?: string };
}

interface ConsentColumns {
  purpose_key: string | null;
  consent_status: string | null;
  granted_at: Date | null;
  version: number | null;
}
type PointRow = ConsentColumns & { id: string; email: string; status: string; given_name: string | null };
type GraphRow = ConsentColumns & { id: string; email: string; status: string; created_at: Date; title: string | null };

const consentOf = (row: ConsentColumns & { title?: string | null }) => ({
  purpose: row.title === undefined ? { key: row.purpose_key, version: row.version } : { key: row.purpose_key, title: row.title, version: row.version },
  status: row.consent_status,
  grantedAt: row.granted_at?.toISOString() ?? null,
});

/** The handlers, one per scenario, each returning the `data` of a GraphQL-shaped response. */
function createHandlers(runner: SqlRunner, purposeVersions: ReadonlyMap<string, number>) {
  return {
    async point(variables: { id: string }) {
      const rows = await runner.query<PointRow>(POINT_SQL, [variables.id]);
      const first = rows[0];
      if (!first) return { customer: null };
      const consents = rows.filter((r) => r.purpose_key !== null).map(consentOf);
      return { customer: { id: first.id, email: first.email, status: first.status, givenName: first.given_name, consents } };
    },

    async graph() {
      const rows = await runner.query<GraphRow>(GRAPH_SQL, [51]);
      const nodes: { id: string; email: string; status: string; createdAt: Date; consents: ReturnType<typeof consentOf>[] }[] = [];
      for (const row of rows) {
        let node = nodes.at(-1);
        if (node?.id !== row.id) {
          node = { id: row.id, email: row.email, status: row.status, createdAt: row.created_at, consents: [] };
          nodes.push(node);
        }
        if (row.purpose_key !== null) node.consents.push(consentOf(row));
      }
      const page = nodes.slice(0, 50);
      const last = page.at(-1);
      const endCursor = last ? Buffer.from(`c1:${last.createdAt.getTime()}:${last.id}`).toString('base64url') : null;
      return {
        customers: {
          edges: page.map(({ createdAt: _, ...node }) => ({ node })),
          pageInfo: { hasNextPage: nodes.length > 50, endCursor },
        },
      };
    },

    async scim(user: ScimUserBody) {
      const id = randomUUID();
      const at = new Date().toISOString();
      await runner.transaction(async (query) => {
        await query(INSERT_SCIM_CUSTOMER, [id, user.userName, user.name?.givenName ?? null, user.name?.familyName ?? null, at]);
        await query(INSERT_SCIM_USER, [id, user.userName, user.externalId ?? null, at]);
        await query(INSERT_SCIM_EVENT, [id, at]);
      });
      return { id, userName: user.userName };
    },

    async capture(variables: CaptureVariables) {
      const { email, attributes, consents } = variables.input;
      const id = randomUUID();
      const at = new Date().toISOString();
      const purpose = consents[0]!;
      const version = purposeVersions.get(purpose);
      if (version === undefined) throw new Error(`unknown purpose ${purpose}`);
      const custom = Object.fromEntries(attributes.map((a) => [a.name, a.value]));
      await runner.transaction(async (query) => {
        await query(INSERT_CUSTOMER, [id, email, JSON.stringify(custom), at]);
        await query(INSERT_CONSENT, [id, purpose, version, at]);
        await query(INSERT_RECORD, [id, purpose, version, at]);
        await query(INSERT_EVENTS, [id, at, purpose]);
      });
      return { capture: { created: true, customer: { id } } };
    },
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Listens on 127.0.0.1 (port 0 by default) and resolves with the server and its base URL. */
export async function startBaselineServer(runner: SqlRunner, operatorKey: string, port = 0): Promise<{ server: Server; url: string }> {
  const purposes = await runner.query<{ key: string; version: number }>('select key, version from consent_purposes', []);
  const handlers = createHandlers(runner, new Map(purposes.map((p) => [p.key, p.version])));
  const authorization = `Bearer ${operatorKey}`;

  const server = createServer((request, response) => {
    void (async () => {
      // The same gate Kith has in front of these operations: POST, JSON, the operator's key.
      if (request.method !== 'POST') return send(response, 405, { errors: [{ message: 'POST only' }] });
      if (request.headers.authorization !== authorization) return send(response, 401, { errors: [{ message: 'unauthenticated' }] });
      const parsed = JSON.parse(await readBody(request)) as { variables?: Record<string, unknown> };
      const { variables } = parsed;
      switch (request.url) {
        case '/scim':
          return send(response, 201, await handlers.scim(parsed as unknown as ScimUserBody));
        case '/floor':
          return send(response, 200, { data: { viewer: { role: 'ADMIN' } } });
        case '/point':
          return send(response, 200, { data: await handlers.point(variables as { id: string }) });
        case '/graph':
          return send(response, 200, { data: await handlers.graph() });
        case '/capture':
          return send(response, 200, { data: await handlers.capture(variables as unknown as CaptureVariables) });
        default:
          return send(response, 404, { errors: [{ message: 'not found' }] });
      }
    })().catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { errors: [{ message: (error as Error).message }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${actual}` };
}

/** Entry point of the PostgreSQL baseline child: BENCH_DATABASE_URL, BENCH_OPERATOR_KEY, BENCH_POOL_SIZE. */
async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  const key = process.env.BENCH_OPERATOR_KEY;
  if (!url || !key) throw new Error('baseline-server needs BENCH_DATABASE_URL and BENCH_OPERATOR_KEY');
  const sql = postgres(url, { max: Number(process.env.BENCH_POOL_SIZE ?? 10), onnotice: () => {} });
  const { server, url: baseline } = await startBaselineServer(postgresRunner(sql), key);
  onShutdown(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sql.end({ timeout: 5 });
  });
  announceReady({ baseline });
}

if (isMainModule(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
