/** What one `npm run bench` does, from its command-line flags and BENCH_* environment variables. */
import { DEFAULT_DB_POOL_SIZE } from '../../src/config/config.js';

export const DRIVERS = ['postgres', 'pglite'] as const;
export type Driver = (typeof DRIVERS)[number];

export const SCENARIOS = ['floor', 'point', 'graph', 'capture', 'signin', 'authread', 'scim', 'delivery'] as const;
/** The scenarios measured as HTTP load against Kith and a baseline server (delivery has a runner of its own). */
export type HttpScenarioName = Exclude<ScenarioName, 'delivery'>;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly drivers: readonly Driver[];
  readonly scenarios: readonly ScenarioName[];
  /** Length of each measured run, in seconds (BENCH_SECONDS, default 10). */
  readonly seconds: number;
  /**
   * The measured time of each side is split into this many runs, alternated Kith, baseline, baseline, Kith...
   * so a burst of load from elsewhere on a shared machine does not land on one side only (BENCH_ROUNDS, 2).
   */
  readonly rounds: number;
  /**
   * Unmeasured load before a side's first measured run, in seconds (BENCH_WARMUP_SECONDS, default 8). With 2 s,
   * Kith's second run was up to 15% faster than its first (V8 was still optimising its code); with 8 s they agree
   * within a few percent, so the figures are steady-state throughput. The baseline gets the same warm-up.
   */
  readonly warmupSeconds: number;
  /** Concurrent autocannon connections (BENCH_CONNECTIONS, default 32). */
  readonly connections: number;
  /** Changes delivered by the delivery scenario (BENCH_DELIVERY_EVENTS, default 2000). */
  readonly deliveryEvents: number;
  /** Customers seeded before measuring (BENCH_CUSTOMERS, default 10000). */
  readonly customers: number;
  /** PostgreSQL connections of Kith's pool and of the baseline's, each (BENCH_POOL_SIZE, default: Kith's default, DEFAULT_DB_POOL_SIZE). */
  readonly poolSize: number;
  /** Where a fresh PostgreSQL database is created, without the database name (BENCH_PG_URL_BASE). */
  readonly pgUrlBase: string;
  /** Optional path the results are also written to as JSON (BENCH_OUT); nothing is written by default. */
  readonly out: string | null;
  /** Node flags added to Kith's process after `npm start`'s (BENCH_KITH_NODE_FLAGS, e.g. `--cpu-prof`); none by default. */
  readonly kithNodeFlags: readonly string[];
}

export const USAGE = `Usage: npm run bench -- [--driver postgres|pglite] [--scenario floor|point|graph|capture|signin|authread|scim|delivery]
  Both flags may be repeated or given comma-separated lists; without them everything runs.
  signin is compared with bare argon2id verify() calls, authread with Kith's own operator point read.
  Environment: BENCH_SECONDS (10, measured per side), BENCH_ROUNDS (2, alternating runs sharing them),
  BENCH_WARMUP_SECONDS (8), BENCH_CONNECTIONS (32), BENCH_CUSTOMERS (10000),
  BENCH_POOL_SIZE (${DEFAULT_DB_POOL_SIZE}, Kith's default; PostgreSQL connections of Kith and of the baseline each),
  BENCH_DELIVERY_EVENTS (2000), BENCH_PG_URL_BASE (postgres://postgres@127.0.0.1:5432), BENCH_OUT (a path for the JSON results; unset: print only),
  BENCH_KITH_NODE_FLAGS (node flags added to Kith's process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").`;

export class UsageError extends Error {
  override name = 'UsageError';
}

type Env = Record<string, string | undefined>;

function positive(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function pick<T extends string>(flag: string, values: string[], allowed: readonly T[]): T[] {
  const picked = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  for (const value of picked) {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}".`);
    }
  }
  // Keep the canonical order whatever order the flags came in.
  return picked.length === 0 ? [...allowed] : allowed.filter((a) => picked.includes(a));
}

/** Reads `--driver X`, `--driver=X`, `--scenario Y` and `--scenario=Y`; anything else is a usage error. */
export function parseBenchOptions(argv: readonly string[], env: Env = process.env): BenchOptions {
  const drivers: string[] = [];
  const scenarios: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--help' || flag === '-h') throw new UsageError(USAGE);
    if (flag !== '--driver' && flag !== '--scenario') throw new UsageError(`Unknown argument "${arg}".\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value.\n${USAGE}`);
    (flag === '--driver' ? drivers : scenarios).push(value);
  }
  return Object.freeze({
    drivers: pick('--driver', drivers, DRIVERS),
    scenarios: pick('--scenario', scenarios, SCENARIOS),
    seconds: positive(env, 'BENCH_SECONDS', 10, 1, 300),
    rounds: Math.round(positive(env, 'BENCH_ROUNDS', 2, 1, 20)),
    warmupSeconds: positive(env, 'BENCH_WARMUP_SECONDS', 8, 0, 60),
    connections: Math.round(positive(env, 'BENCH_CONNECTIONS', 32, 1, 1000)),
    customers: Math.round(positive(env, 'BENCH_CUSTOMERS', 10_000, 100, 1_000_000)),
    poolSize: Math.round(positive(env, 'BENCH_POOL_SIZE', DEFAULT_DB_POOL_SIZE, 1, 200)),
    deliveryEvents: positive(env, 'BENCH_DELIVERY_EVENTS', 2000, 10, 100_000),
    pgUrlBase: (env.BENCH_PG_URL_BASE || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
    out: env.BENCH_OUT || null,
    kithNodeFlags: (env.BENCH_KITH_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== ''),
  });
}
