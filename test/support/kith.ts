import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/domain/clock.js';
import { createKith, type Kith } from '../../src/server/app.js';
import { type Database, openDatabase } from '../../src/store/database.js';

/** The test database: PostgreSQL when DATABASE_URL is set, otherwise PGlite in memory. One per worker. */
let shared: Promise<Database> | null = null;
export function testDatabase(): Promise<Database> {
  shared ??= (async () => {
    const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://', poolSize: 5 });
    await database.migrate();
    return database;
  })();
  return shared;
}

/** The worker's administrator (made once per test database) and its password. */
export const ADMIN_EMAIL = 'admin@kith.test';
export const ADMIN_PASSWORD = 'test administrator passphrase';
/** Every test request comes from 127.0.0.1: shared servers get limits no suite reaches; tests of the limits set their own. */
export const TEST_LIMITS = { KITH_SIGNIN_ATTEMPTS_PER_IP: '1000000', KITH_SIGNIN_ATTEMPTS_PER_ACCOUNT: '1000000', KITH_REGISTRATIONS_PER_IP: '1000000', KITH_CAPTURES_PER_IP: '1000000', KITH_RECOVERIES_PER_IP: '1000000' };
export const KEY_ENCRYPTION_KEY = 'test-key-encryption-key-0123456789abcdef01234';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string; [k: string]: unknown } }[];
}

export interface RequestOptions {
  as?: 'admin' | 'agent' | 'public';
  token?: string;
}

export interface TestKith {
  kith: Kith;
  url: string;
  database: Database;
  /** POSTs an operation as the public, as an administrator or agent (`{ as: 'admin' }`), or with a token. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<T>;
  /** A fresh token of the worker's administrator, or of an agent made for this server. */
  staffToken(role: 'admin' | 'agent'): Promise<string>;
}

const servers = new Map<string, Promise<TestKith>>();

/** Builds and starts a Kith on the worker's database, with the test defaults under `env`. */
async function serve(env: Record<string, string>, clock?: Clock, own?: Database): Promise<TestKith> {
  const database = own ?? (await testDatabase());
  const config = loadConfig({ KITH_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, KITH_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, KITH_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY, NODE_ENV: 'test', KITH_ARGON2_MEMORY_KIB: '8192', KITH_ARGON2_ITERATIONS: '1', ...TEST_LIMITS, ...env });
  const kith = await createKith(config, { database, clock });
  const address = await kith.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `${address}/graphql`;
  const agentEmail = `agent-${randomUUID()}@kith.test`;
  // Made when first asked for: work started in the background could outlive a server closed early.
  let agent: Promise<unknown> | null = null;
  const staffToken: TestKith['staffToken'] = async (role) => {
    if (role === 'agent') await (agent ??= kith.services.staff.create({ email: agentEmail, name: 'Test agent', role: 'AGENT', password: ADMIN_PASSWORD }));
    const email = role === 'admin' ? ADMIN_EMAIL : agentEmail;
    return (await kith.services.staff.signIn({ email, password: ADMIN_PASSWORD })).accessToken;
  };
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (role: 'admin' | 'agent') => {
    let token = tokens.get(role);
    if (!token) tokens.set(role, (token = staffToken(role)));
    return token;
  };
  const gql: TestKith['gql'] = async (query, variables, options = {}) => {
    const token = options.token ?? (options.as === 'admin' || options.as === 'agent' ? await tokenFor(options.as) : undefined);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) };
  };
  const ok: TestKith['ok'] = async (query, variables, options) => {
    const result = await gql(query, variables, options);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data as never;
  };
  return { kith, url, database, gql, ok, staffToken };
}

/** A Kith listening on 127.0.0.1 over the worker's database; `env` entries make a separately configured one. */
export function startKith(env: Record<string, string> = {}): Promise<TestKith> {
  const key = JSON.stringify(env);
  let server = servers.get(key);
  if (!server) {
    server = serve(env);
    servers.set(key, server);
  }
  return server;
}

/** A Kith of its own whose clock the test moves forward; close it in afterAll. */
export async function startClockedKith(
  env: Record<string, string> = {},
  options: { ownDatabase?: boolean; database?: Database } = {},
): Promise<TestKith & { advance(ms: number): void; now(): Date; close(): Promise<void> }> {
  let at = Date.now();
  // A database of its own (PGlite in memory) for tests that change what every server shares: the signing
  // keys, the last administrator, and delivery passes (they work through every connector of their database,
  // and a clock moved on would take over other tests' claims). The worker's database may be one PostgreSQL
  // database for all workers. `database`: one the test opened itself, which it closes.
  const own = options.ownDatabase ? await openDatabase({ dataDir: 'memory://' }) : undefined;
  if (own) await own.migrate();
  const served = await serve(env, { now: () => new Date(at) }, own ?? options.database);
  return {
    ...served,
    advance: (ms) => void (at += ms),
    now: () => new Date(at),
    close: async () => {
      await served.kith.close();
      await own?.close();
    },
  };
}

/** An email no other test uses. */
export function uniqueEmail(prefix = 'c'): string {
  return `${prefix}-${randomUUID()}@example.com`;
}

/** A value no other test uses, for tagging a test's customers (e.g. the `company` attribute). */
export function uniqueTag(): string {
  return `tag-${randomUUID()}`;
}

/** Registers a customer with a unique email and signs them in: their id, email, and the session's tokens. */
export async function signedInCustomer(k: Pick<TestKith, 'ok'>, password: string) {
  const email = uniqueEmail();
  const { register } = await k.ok(`mutation($input: RegisterInput!) { register(input: $input) { customer { id } } }`, { input: { email, password } });
  const { signIn } = await k.ok(`mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken } }`, { input: { email, password } });
  return { email, id: register.customer.id as string, token: signIn.accessToken as string, refreshToken: signIn.refreshToken as string };
}
