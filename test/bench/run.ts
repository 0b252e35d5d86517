import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import postgres from 'postgres';
import { openDatabase } from '../../src/store/database.js';
import { type BenchOptions, type Driver, type HttpScenarioName, parseBenchOptions, UsageError } from './bench-options.js';
import { argon2Side } from './argon2-baseline.js';
import { type BenchChild, startChild } from './child-process.js';
import { type CpuMeter, createCpuMeter } from './cpu-meter.js';
import { httpSide, measurePair, type Side } from './load.js';
import { formatScenarioLine, formatTable, type ScenarioResult, scenarioResult } from './report.js';
import { createScenario } from './scenario-catalog.js';
import { benchDelivery, type DeliveryResult, formatDelivery } from './delivery-bench.js';
import type { Scenario } from './scenarios.js';
import { startNodeFlags } from '../support/start-flags.js';
import { benchCustomerIds, seedCustomers } from './seed-data.js';

/**
 * `npm run bench`: Kith against a bare node:http + hand-written SQL baseline, on PostgreSQL and on PGlite,
 * for a point read, a page of 50 and a capture; and, with baselines of their own (session-scenarios.ts),
 * signIn against bare argon2id verify() calls and a token-authenticated `me` against the operator's read.
 * Everything listens and connects on 127.0.0.1 only. See bench-options.ts for the flags and BENCH_* variables.
 */

interface Run {
  readonly options: BenchOptions;
  readonly operatorKey: string;
  /** Derives the seeded customer ids; the PGlite child derives the same ones from it. */
  readonly seed: string;
  readonly ids: readonly string[];
}

/** The chosen scenarios that are HTTP load against Kith and a baseline (all but delivery). */
const httpScenarios = (options: BenchOptions): HttpScenarioName[] => options.scenarios.filter((s): s is HttpScenarioName => s !== 'delivery');

/** Cleanups to run if the bench is interrupted (children to stop, the PostgreSQL database to drop). */
const cleanups = new Set<() => Promise<void>>();

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/**
 * Environment of every server child: production settings, so no stack traces, introspection or debug logs.
 * Bench-only: the sign-in rate limits (30 a minute per IP, 10 per email by default) would refuse signin's
 * load, which all comes from 127.0.0.1 and 200 emails, so they are raised to the most the config allows
 * (each attempt is still counted, with the same upserts). Access tokens last an hour instead of 10 minutes
 * so authread's, taken just before it runs, outlive any BENCH_SECONDS; the lifetime costs nothing per request.
 */
const serverEnv = (run: Run) => ({
  NODE_ENV: 'production',
  LOG_LEVEL: 'error',
  KITH_BOOTSTRAP_ADMIN_EMAIL: BENCH_ADMIN_EMAIL,
  KITH_BOOTSTRAP_ADMIN_PASSWORD: run.operatorKey,
  KITH_KEY_ENCRYPTION_KEY: run.operatorKey,
  KITH_DB_POOL_SIZE: String(run.options.poolSize),
  KITH_SIGNIN_ATTEMPTS_PER_IP: '1000000',
  KITH_SIGNIN_ATTEMPTS_PER_ACCOUNT: '1000000',
  KITH_ACCESS_TOKEN_TTL_SECONDS: '3600',
  BENCH_OPERATOR_KEY: run.operatorKey,
  BENCH_POOL_SIZE: String(run.options.poolSize),
});

const BENCH_ADMIN_EMAIL = 'bench-admin@kith.test';

/** Signs the bench's administrator in: Kith's requests carry this token where the baseline's carry its key. */
async function adminToken(kith: string, run: Run): Promise<string> {
  const response = await fetch(`${kith}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($i: StaffSignInInput!) { staffSignIn(input: $i) { accessToken } }',
      variables: { i: { email: BENCH_ADMIN_EMAIL, password: run.operatorKey } },
    }),
  });
  const body = (await response.json()) as { data?: { staffSignIn?: { accessToken?: string } } };
  const token = body.data?.staffSignIn?.accessToken;
  if (!token) throw new Error(`the bench administrator could not sign in: ${JSON.stringify(body).slice(0, 300)}`);
  return token;
}

/** Where one driver's servers listen: Kith, the bare baseline, and the argon2 child when signin runs. */
interface Servers {
  readonly kith: string;
  /** The administrator's access token on this Kith. */
  readonly kithToken: string;
  readonly baseline: string;
  readonly argon2: string | null;
}

/** Kith's child runs with `npm start`'s flags plus BENCH_KITH_NODE_FLAGS (for example `--cpu-prof` to profile it). */
const kithNodeFlags = (run: Run) => [...startNodeFlags(), ...run.options.kithNodeFlags];

/** Starts the argon2 child when signin is chosen (it needs no database: one serves either driver). */
const startArgon2 = (run: Run) => (run.options.scenarios.includes('signin') ? startChild('./argon2-baseline.ts', {}, startNodeFlags()) : null);

/** The side Kith's throughput is divided by, as the scenario's baseline says. */
function baselineSide(run: Run, scenario: Scenario, servers: Servers): Side {
  const { baseline } = scenario;
  const label = `${scenario.title} (${baseline.label})`;
  switch (baseline.kind) {
    case 'bare-http':
      return httpSide({ url: `${servers.baseline}${baseline.path}`, bearer: run.operatorKey, label, workload: scenario });
    case 'kith':
      return httpSide({ url: `${servers.kith}/graphql`, bearer: servers.kithToken, label, workload: baseline.workload });
    case 'argon2':
      if (servers.argon2 === null) throw new Error('the argon2 baseline child is not running');
      return argon2Side(servers.argon2);
    default: {
      const unreachable: never = baseline;
      throw new Error(`unknown baseline ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Measures every chosen scenario on Kith and on its baseline (alternating runs), printing each as it completes. */
async function benchScenarios(run: Run, driver: Driver, servers: Servers, cpu: CpuMeter | null): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const { seconds, rounds, warmupSeconds, connections } = run.options;
  for (const name of httpScenarios(run.options)) {
    const scenario = createScenario(name, run.ids);
    log(`${driver}: ${scenario.title}: each side ${warmupSeconds} s warm-up, ${seconds} s measured in ${rounds} alternating runs, ${connections} connections`);
    let result: ScenarioResult;
    try {
      const kithGraphql = `${servers.kith}/graphql`;
      await scenario.prepare?.(kithGraphql, servers.kithToken);
      const kithSide = httpSide({
        url: `${servers.kith}${scenario.kithPath ?? '/graphql'}`,
        bearer: scenario.kithBearer?.() ?? servers.kithToken,
        label: `${scenario.title} (Kith)`,
        workload: scenario,
      });
      const { kith, baseline } = await measurePair(kithSide, baselineSide(run, scenario, servers), { ...run.options, cpu });
      result = scenarioResult(driver, scenario, kith, baseline);
    } catch (error) {
      result = scenarioResult(driver, scenario, null, null, (error as Error).message);
    }
    console.log(formatScenarioLine(result));
    results.push(result);
  }
  return results;
}

/** A fresh database on the local server: migrate, seed, serve Kith and the baseline in two children, drop. */
async function benchPostgres(run: Run): Promise<ScenarioResult[]> {
  const name = `kith_bench_${randomBytes(6).toString('hex')}`;
  const databaseUrl = `${run.options.pgUrlBase}/${name}`;
  const admin = postgres(`${run.options.pgUrlBase}/postgres`, { max: 1, onnotice: () => {} });
  const children: BenchChild[] = [];
  let cleaning: Promise<void> | null = null;
  // Once only, whether from the finally below or from Ctrl-C; a failed drop is reported, not thrown.
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.all(children.map((child) => child.stop()));
      try {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        log(`postgres: dropped database ${name}`);
      } catch (error) {
        console.error(`[bench] could not drop database ${name}: ${(error as Error).message}`);
      }
      await admin.end({ timeout: 5 });
    })());
  cleanups.add(cleanup);
  try {
    await admin.unsafe(`create database "${name}"`);
    log(`postgres: created database ${name}; migrating and seeding ${run.ids.length} customers`);
    const started = performance.now();
    const database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 2 });
    try {
      await database.migrate();
      await seedCustomers(database.db, run.ids);
    } finally {
      await database.close();
    }
    log(`postgres: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s; starting Kith and the baseline`);
    const env = { ...serverEnv(run), DATABASE_URL: databaseUrl, BENCH_DATABASE_URL: databaseUrl };
    const [kith, baseline, argon2] = await Promise.all([
      startChild('./kith-server.ts', { ...env, BENCH_DRIVER: 'postgres' }, kithNodeFlags(run)),
      startChild('./baseline-server.ts', env),
      startArgon2(run),
    ]);
    children.push(kith, baseline, ...(argon2 ? [argon2] : []));
    const kithToken = await adminToken(kith.urls.kith!, run);
    const cpu = createCpuMeter(() => children.map((child) => child.pid), name);
    const servers = { kith: kith.urls.kith!, kithToken, baseline: baseline.urls.baseline!, argon2: argon2?.urls.argon2 ?? null };
    return await benchScenarios(run, 'postgres', servers, cpu);
  } finally {
    cleanups.delete(cleanup);
    await cleanup();
  }
}

/** In-memory PGlite: one child migrates, seeds and serves Kith and the PGlite baseline on two ports. */
async function benchPglite(run: Run): Promise<ScenarioResult[]> {
  log(`pglite: starting the child (in-memory PGlite, migrating and seeding ${run.ids.length} customers)`);
  const child = await startChild('./kith-server.ts', {
    ...serverEnv(run),
    DATABASE_URL: '',
    BENCH_DRIVER: 'pglite',
    BENCH_SEED: run.seed,
    BENCH_CUSTOMERS: String(run.ids.length),
  }, kithNodeFlags(run));
  let argon2: BenchChild | null = null;
  const cleanup = async () => {
    await Promise.all([child.stop(), argon2?.stop()]);
  };
  cleanups.add(cleanup);
  try {
    argon2 = await startArgon2(run);
    log(`pglite: seeded in ${child.urls.seedSeconds} s; Kith and the baseline share that process, measured one at a time`);
    const kithToken = await adminToken(child.urls.kith!, run);
    const cpu = createCpuMeter(() => [child.pid, ...(argon2 ? [argon2.pid] : [])], null);
    const servers = { kith: child.urls.kith!, kithToken, baseline: child.urls.baseline!, argon2: argon2?.urls.argon2 ?? null };
    return await benchScenarios(run, 'pglite', servers, cpu);
  } finally {
    cleanups.delete(cleanup);
    await cleanup();
  }
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  const seed = randomBytes(8).toString('hex');
  const run: Run = { options, operatorKey: randomBytes(24).toString('hex'), seed, ids: benchCustomerIds(seed, options.customers) };
  log(
    `Node ${process.version}, ${cpus().length} CPUs; drivers ${options.drivers.join(', ')}; scenarios ${options.scenarios.join(', ')}; ` +
      `${options.customers} customers; pool ${options.poolSize} connections a side`,
  );

  const results: ScenarioResult[] = [];
  for (const driver of httpScenarios(options).length > 0 ? options.drivers : []) {
    try {
      results.push(...(driver === 'postgres' ? await benchPostgres(run) : await benchPglite(run)));
    } catch (error) {
      console.error(`[bench] ${driver} could not be measured:`, error);
      for (const name of httpScenarios(options)) {
        results.push(scenarioResult(driver, createScenario(name, run.ids), null, null, (error as Error).message));
      }
    }
  }

  console.log('\nKith vs bare node:http + hand-written SQL (ratio = Kith req/s / baseline req/s)');
  console.log(
    'CPU ms: CPU per request of the side under load (its server process, every thread, plus on PostgreSQL the ' +
      "database's backends), read from /proc; CPU ratio = baseline CPU ms / Kith CPU ms, what the throughput ratio would be with a core to spare.",
  );
  console.log(
    `Each side: ${options.warmupSeconds} s warm-up, ${options.seconds} s measured in ${options.rounds} alternating runs, ` +
      `${options.connections} connections. Targets apply to PostgreSQL only; PGlite ratios are for information.`,
  );
  if (options.scenarios.includes('signin')) {
    console.log(
      `signIn's baseline is argon2id verify() alone (Kith's default parameters, ${options.connections} calls in flight, ` +
        `in a child process): "base req/s" is verifications per second. Both use libuv's thread pool, ` +
        `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE || '4 (the default)'}; Kith's sign-in rate limits are raised for the bench.`,
    );
  }
  if (options.scenarios.includes('authread')) {
    console.log(`authread's baseline is Kith itself: the same catalog read with no token, on the same process.`);
  }
  if (results.length > 0) {
    console.log('');
    console.log(formatTable(results));
  }
  const deliveries: DeliveryResult[] = [];
  if (options.scenarios.includes('delivery')) {
    console.log('\nDelivery throughput (in this process; ratio = Kith changes/s / bare POST loop posts/s, for information)');
    for (const driver of options.drivers) {
      const result = await benchDelivery(driver, options, log);
      console.log(formatDelivery(result));
      deliveries.push(result);
    }
  }
  if (options.out) {
    const report = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, options, results, deliveries };
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    log(`results written to ${options.out}`);
  }
  const failed = [...results.map((r) => ({ what: `${r.driver} ${r.title}`, error: r.error })), ...deliveries.map((d) => ({ what: `${d.driver} delivery`, error: d.error }))].filter(
    (f) => f.error !== null,
  );
  if (failed.length > 0) console.error(`\n[bench] FAILED: ${failed.map((f) => `${f.what}: ${f.error}`).join('\n  ')}`);
  return failed.length > 0 ? 1 : 0;
}

// Ctrl-C: stop the children and drop the database before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n[bench] ${signal}: cleaning up`);
    void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
