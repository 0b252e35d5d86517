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

export const OPERATOR_KEY = 'test-operator-key-0123456789abcdef0123456789';
/** Every test request comes from 127.0.0.1: shared servers get limits no suite reaches; tests of the limits set their own. */
export const TEST_LIMITS = { KITH_SIGNIN_ATTEMPTS_PER_IP: '1000000', KITH_SIGNIN_ATTEMPTS_PER_ACCOUNT: '1000000' };
export const KEY_ENCRYPTION_KEY = 'test-key-encryption-key-0123456789abcdef01234';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string; [k: string]: unknown } }[];
}

export interface TestKith {
  kith: Kith;
  url: string;
  database: Database;
  /** POSTs an operation as the public, or as the operator with `{ as: 'operator' }`. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { as?: 'operator' | 'public'; token?: string }): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { as?: 'operator' | 'public'; token?: string }): Promise<T>;
}

const servers = new Map<string, Promise<TestKith>>();

/** Builds and starts a Kith on the worker's database, with the test defaults under `env`. */
async function serve(env: Record<string, string>, clock?: Clock): Promise<TestKith> {
  const database = await testDatabase();
  const config = loadConfig({ KITH_OPERATOR_KEY: OPERATOR_KEY, KITH_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY, NODE_ENV: 'test', KITH_ARGON2_MEMORY_KIB: '8192', KITH_ARGON2_ITERATIONS: '1', ...TEST_LIMITS, ...env });
  const kith = await createKith(config, { database, clock });
  const address = await kith.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `${address}/graphql`;
  const gql: TestKith['gql'] = async (query, variables, options = {}) => {
    const token = options.token ?? (options.as === 'operator' ? OPERATOR_KEY : undefined);
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
  return { kith, url, database, gql, ok };
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
export async function startClockedKith(env: Record<string, string> = {}): Promise<TestKith & { advance(ms: number): void; close(): Promise<void> }> {
  let at = Date.now();
  const served = await serve(env, { now: () => new Date(at) });
  return { ...served, advance: (ms) => void (at += ms), close: () => served.kith.close() };
}

/** An email no other test uses. */
export function uniqueEmail(prefix = 'c'): string {
  return `${prefix}-${randomUUID()}@example.com`;
}

/** A value no other test uses, for tagging a test's customers (e.g. the `company` attribute). */
export function uniqueTag(): string {
  return `tag-${randomUUID()}`;
}

/** A newly registered customer, signed in: their email, id and tokens. */
export async function registeredAndSignedIn(k: Pick<TestKith, 'ok'>, password: string) {
  const email = uniqueEmail();
  const { register } = await k.ok(`mutation($input: RegisterInput!) { register(input: $input) { customer { id } } }`, { input: { email, password } });
  const { signIn } = await k.ok(`mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken } }`, { input: { email, password } });
  return { email, id: register.customer.id as string, token: signIn.accessToken as string, refreshToken: signIn.refreshToken as string };
}
