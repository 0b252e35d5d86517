import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import postgres from 'postgres';
import { openDatabase } from '../../src/store/database.js';
import { type BenchOptions, type Driver, parseBenchOptions, UsageError } from './bench-options.js';
import { type BenchChild, startChild } from './child-process.js';
import { measurePair } from './load.js';
import { formatScenarioLine, formatTable, type ScenarioResult, scenarioResult } from './report.js';
import { createScenario } from './scenarios.js';
import { startNodeFlags } from '../support/start-flags.js';
import { benchCustomerIds, seedCustomers } from './seed-data.js';

/**
 * `npm run bench`: Kith against a bare node:http + hand-written SQL baseline, on PostgreSQL and on PGlite,
 * for a point read, a page of 50 and a capture. Everything listens and connects on 127.0.0.1 only.
 * See bench-options.ts for the flags and the BENCH_* variables.
 */

interface Run {
  readonly options: BenchOptions;
  readonly operatorKey: string;
  /** Derives the seeded customer ids; the PGlite child derives the same ones from it. */
  readonly seed: string;
  readonly ids: readonly string[];
}

/** Cleanups to run if the bench is interrupted (children to stop, the PostgreSQL database to drop). */
const cleanups = new Set<() => Promise<void>>();

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Environment of every server child: production settings, so no stack traces, introspection or debug logs. */
const serverEnv = (run: Run) => ({
  NODE_ENV: 'production',
  LOG_LEVEL: 'error',
  KITH_OPERATOR_KEY: run.operatorKey,
  KITH_KEY_ENCRYPTION_KEY: run.operatorKey,
  KITH_DB_POOL_SIZE: String(run.options.poolSize),
  BENCH_OPERATOR_KEY: run.operatorKey,
  BENCH_POOL_SIZE: String(run.options.poolSize),
});

/** Measures every chosen scenario on Kith and on the baseline (alternating runs), printing each as it completes. */
async function benchScenarios(run: Run, driver: Driver, kithUrl: string, baselineUrl: string): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const { seconds, rounds, warmupSeconds, connections } = run.options;
  for (const name of run.options.scenarios) {
    const scenario = createScenario(name, run.ids);
    log(`${driver}: ${scenario.title}: each side ${warmupSeconds} s warm-up, ${seconds} s measured in ${rounds} alternating runs, ${connections} connections`);
    let result: ScenarioResult;
    try {
      const target = { operatorKey: run.operatorKey, scenario };
      const { kith, baseline } = await measurePair(
        { ...target, url: `${kithUrl}/graphql` },
        { ...target, url: `${baselineUrl}${scenario.baselinePath}` },
        run.options,
      );
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
    const [kith, baseline] = await Promise.all([
      startChild('./kith-server.ts', { ...env, BENCH_DRIVER: 'postgres' }, startNodeFlags()),
      startChild('./baseline-server.ts', env),
    ]);
    children.push(kith, baseline);
    return await benchScenarios(run, 'postgres', kith.urls.kith!, baseline.urls.baseline!);
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
  }, startNodeFlags());
  const cleanup = () => child.stop();
  cleanups.add(cleanup);
  try {
    log(`pglite: seeded in ${child.urls.seedSeconds} s; Kith and the baseline share that process, measured one at a time`);
    return await benchScenarios(run, 'pglite', child.urls.kith!, child.urls.baseline!);
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
  for (const driver of options.drivers) {
    try {
      results.push(...(driver === 'postgres' ? await benchPostgres(run) : await benchPglite(run)));
    } catch (error) {
      console.error(`[bench] ${driver} could not be measured:`, error);
      for (const name of options.scenarios) {
        results.push(scenarioResult(driver, createScenario(name, run.ids), null, null, (error as Error).message));
      }
    }
  }

  console.log('\nKith vs bare node:http + hand-written SQL (ratio = Kith req/s / baseline req/s)');
  console.log(
    `Each side: ${options.warmupSeconds} s warm-up, ${options.seconds} s measured in ${options.rounds} alternating runs, ` +
      `${options.connections} connections. Targets apply to PostgreSQL only; PGlite ratios are for information.\n`,
  );
  console.log(formatTable(results));
  if (options.out) {
    const report = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, options, results };
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    log(`results written to ${options.out}`);
  }
  const failed = results.filter((r) => r.error !== null);
  if (failed.length > 0) console.error(`\n[bench] FAILED: ${failed.map((r) => `${r.driver} ${r.title}: ${r.error}`).join('\n  ')}`);
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
