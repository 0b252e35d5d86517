import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, isMainModule, onShutdown } from './child-process.js';
import { BenchFailure, type Measurement, metered, type Side } from './load.js';
import type { CpuMeter } from './cpu-meter.js';
import { BENCH_PASSWORD, benchHasher, benchPasswordHash } from './seed-data.js';

/**
 * The baseline of the signin scenario: no HTTP per request, no SQL, no GraphQL, only argon2id. This child
 * verifies BENCH_PASSWORD against the very hash the seed stores (Kith's default parameters, through
 * Kith's own createArgon2Hasher) with as many verify() calls in flight as the bench has connections, and
 * counts verifications per second and the latency of each call (queueing included, as Kith's is).
 *
 * verify() runs on libuv's thread pool in this child as in Kith's. Both inherit the bench's environment,
 * so both have the same UV_THREADPOOL_SIZE (unset: libuv's default of 4 threads).
 *
 * The parent drives it over HTTP on 127.0.0.1, one run at a time: POST /run {"seconds", "concurrency"}
 * answers with a VerifyRun once the run is over. Only the parent's load runs against Kith meanwhile, and
 * never at the same time: the runs alternate.
 */

/** What one run did. */
interface VerifyRun {
  /** verify() calls that accepted the password. */
  readonly verifications: number;
  /** verify() calls that refused it: none unless something is broken. */
  readonly refused: number;
  /** From the first call to the last answer, in seconds. */
  readonly seconds: number;
  /** Latency percentiles of one call, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
}

/** Longest run asked for in one request, so no HTTP timeout applies; longer runs are made of several. */
const CHUNK_SECONDS = 60;

type Hasher = ReturnType<typeof benchHasher>;

// ---------------------------------------------------------------- child side

/** `concurrency` loops, each calling verify() again as soon as its last call answered, until time is up. */
async function verifyFor(hasher: Hasher, hash: string, seconds: number, concurrency: number): Promise<VerifyRun> {
  const latencies: number[] = [];
  let refused = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const at = performance.now();
      const accepted = await hasher.verify(hash, BENCH_PASSWORD);
      latencies.push(performance.now() - at);
      if (!accepted) refused += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    verifications: latencies.length - refused,
    refused,
    seconds: (performance.now() - started) / 1000,
    p50: percentile(0.5),
    p99: percentile(0.99),
  };
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error as Error);
      }
    });
    request.on('error', reject);
  });
}

/** Entry point of the child: checks the hash both ways, then serves /run on 127.0.0.1. */
async function main(): Promise<void> {
  const hash = await benchPasswordHash();
  const hasher = benchHasher();
  if (!(await hasher.verify(hash, BENCH_PASSWORD)) || (await hasher.verify(hash, `${BENCH_PASSWORD}!`))) {
    throw new Error('argon2-baseline: the bench hash does not verify as it should');
  }
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'POST' || request.url !== '/run') throw new Error('POST /run only');
      const { seconds, concurrency } = (await readJson(request)) as { seconds?: unknown; concurrency?: unknown };
      if (typeof seconds !== 'number' || !(seconds > 0 && seconds <= CHUNK_SECONDS)) throw new Error('seconds must be in (0, 60]');
      if (!Number.isInteger(concurrency) || (concurrency as number) < 1) throw new Error('concurrency must be a positive integer');
      const run = await verifyFor(hasher, hash, seconds, concurrency as number);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(run));
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(400, { 'content-type': 'text/plain' }).end((error as Error).message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onShutdown(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  announceReady({ argon2: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

// ---------------------------------------------------------------- parent side

async function askRun(url: string, seconds: number, concurrency: number): Promise<VerifyRun> {
  const response = await fetch(`${url}/run`, { method: 'POST', body: JSON.stringify({ seconds, concurrency }) });
  if (!response.ok) throw new BenchFailure(`argon2id baseline at ${url}: HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as VerifyRun;
}

/** The argon2 child as one side of the signin comparison: verifications per second stand for requests per second. */
export function argon2Side(url: string): Side {
  // The child answers a run once its verifications in flight are done, so a metered run counts all of their CPU.
  const run = (seconds: number, concurrency: number, cpu?: CpuMeter | null) => metered(cpu, () => verifyFor(seconds, concurrency));
  async function verifyFor(seconds: number, concurrency: number): Promise<Measurement> {
    const runs: VerifyRun[] = [];
    for (let left = seconds; left > 0; left -= CHUNK_SECONDS) runs.push(await askRun(url, Math.min(left, CHUNK_SECONDS), concurrency));
    const sum = (pick: (r: VerifyRun) => number) => runs.reduce((total, r) => total + pick(r), 0);
    const verifications = sum((r) => r.verifications);
    const elapsed = sum((r) => r.seconds);
    // As in load.ts, percentiles of several chunks are approximated by their mean weighted by calls.
    const weighted = (pick: (r: VerifyRun) => number) => (verifications === 0 ? 0 : sum((r) => pick(r) * r.verifications) / verifications);
    const perSecond = elapsed === 0 ? 0 : verifications / elapsed;
    return {
      requestsPerSecond: perSecond,
      p50: weighted((r) => r.p50),
      p99: weighted((r) => r.p99),
      requests: verifications,
      seconds: elapsed,
      non2xx: 0,
      // A refused verification is this side's wrong answer.
      errorBodies: sum((r) => r.refused),
      socketErrors: 0,
      roundsPerSecond: [perSecond],
      cpuMs: null,
    };
  }
  return {
    async check() {
      const sample = await run(0.2, 1);
      if (sample.requests === 0 || sample.errorBodies > 0) throw new BenchFailure(`argon2id baseline at ${url}: verify() refused the bench password`);
    },
    run,
  };
}

if (isMainModule(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
