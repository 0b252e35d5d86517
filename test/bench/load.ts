import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { CpuMeter } from './cpu-meter.js';
import type { BenchRequest, Workload } from './scenarios.js';

/** One HTTP target (Kith or the bare baseline) under one workload. */
export interface LoadTarget {
  readonly url: string;
  readonly bearer: string;
  /** Names the target in error messages: the scenario's title and the side. */
  readonly label: string;
  readonly workload: Workload;
}

export interface Measurement {
  readonly requestsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly seconds: number;
  readonly non2xx: number;
  /** 2xx responses whose body carried `"errors"`. */
  readonly errorBodies: number;
  /** Connection errors, timeouts included. */
  readonly socketErrors: number;
  /** Requests per second of each measured run, in order. */
  readonly roundsPerSecond: readonly number[];
  /** CPU the servers used in the measured runs, in milliseconds (see cpu-meter.ts); null when not metered. */
  readonly cpuMs: number | null;
}

/** CPU milliseconds per request, or null when not metered. */
export const cpuPerRequest = (m: Measurement | null): number | null => (m && m.cpuMs !== null && m.requests > 0 ? m.cpuMs / m.requests : null);

export class BenchFailure extends Error {
  override name = 'BenchFailure';
}

/** The operator's key unless the request brings its own Authorization header, or says it has none. */
function headersFor(target: LoadTarget, request: BenchRequest): Record<string, string> {
  const authorization = request.authorization === undefined ? `Bearer ${target.bearer}` : request.authorization;
  return authorization === null ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', authorization };
}

/**
 * Sends a few requests one by one and checks every answer in full (status, no errors, the expected data).
 * Throws with the offending body, so a broken scenario fails before anything is measured.
 */
export async function sampleCheck(target: LoadTarget, count = 5): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const request = target.workload.next();
    const response = await fetch(target.url, { method: 'POST', headers: headersFor(target, request), body: request.body });
    const text = await response.text();
    let problem: string | null = response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
    if (!problem) {
      try {
        problem = target.workload.check(JSON.parse(text), request);
      } catch {
        problem = 'the body is not JSON';
      }
    }
    if (problem) {
      throw new BenchFailure(`${target.label} at ${target.url}: ${problem}\n  request: ${request.body}\n  response: ${text.slice(0, 500)}`);
    }
  }
}

/** Runs autocannon for `seconds`; every response is counted, and its body scanned for `"errors"`. */
export async function runLoad(target: LoadTarget, seconds: number, connections: number): Promise<Measurement> {
  let errorBodies = 0;
  let firstErrorBody: string | null = null;
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    // The Authorization header is per request (tokens rotate), so only the content type is a default.
    headers: { 'content-type': 'application/json' },
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => {
          const next = target.workload.next();
          return { ...request, headers: headersFor(target, next), body: next.body };
        },
        onResponse: (status, body) => {
          // A cheap scan, not a parse: GraphQL puts "errors" at the top level of any failed response.
          if (status >= 200 && status < 300 && body.includes('"errors"')) {
            errorBodies += 1;
            firstErrorBody ??= body.slice(0, 500);
          }
        },
      },
    ],
  });
  if (firstErrorBody) console.error(`  ${target.label} at ${target.url}: a response had errors: ${firstErrorBody}`);
  const requests = result.requests.total;
  return {
    requestsPerSecond: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    seconds: result.duration,
    non2xx: result.non2xx,
    errorBodies,
    socketErrors: result.errors,
    roundsPerSecond: [requests / result.duration],
    cpuMs: null,
  };
}

/** One side of a comparison: checked once, then loaded for as long as asked, as often as asked. */
export interface Side {
  /** Throws, with the offending answer, when this side does not answer as expected. */
  check(): Promise<void>;
  /** Loads the side; with a meter, also the CPU the servers used while the load ran (Measurement.cpuMs). */
  run(seconds: number, connections: number, cpu?: CpuMeter | null): Promise<Measurement>;
}

/** `work`'s measurement with the CPU the meter saw while it ran; never below zero (a backend that ended takes its ticks). */
export async function metered(cpu: CpuMeter | null | undefined, work: () => Promise<Measurement>): Promise<Measurement> {
  const before = cpu?.() ?? null;
  const measurement = await work();
  return before === null ? measurement : { ...measurement, cpuMs: Math.max(0, cpu!() - before) };
}

/** Longest pause after a run for the server to finish the requests autocannon stopped waiting for. */
const MAX_SETTLE_MS = 5_000;

/** An HTTP server driven by autocannon. */
export const httpSide = (target: LoadTarget): Side => ({
  check: () => sampleCheck(target),
  async run(seconds, connections, cpu) {
    // Metered until the load stops: requests still in flight then are not counted, so their CPU so far
    // makes Kith's figure a little high, never low.
    const measurement = await metered(cpu, () => runLoad(target, seconds, connections));
    // autocannon stops at the deadline, the server does not: let the requests still in flight (half a second
    // of sign-ins) finish, so they neither eat into the other side's next run nor meet a closed pool at exit.
    await sleep(Math.min(MAX_SETTLE_MS, 2 * measurement.p99));
    return measurement;
  },
});

/** Several runs of one side as one measurement: throughput over all of them, percentiles weighted by requests. */
function combine(runs: readonly Measurement[]): Measurement {
  const sum = (pick: (m: Measurement) => number) => runs.reduce((total, m) => total + pick(m), 0);
  const requests = sum((m) => m.requests);
  const seconds = sum((m) => m.seconds);
  // Percentiles of separate runs cannot be merged exactly; a request-weighted mean is close when runs are alike.
  const weighted = (pick: (m: Measurement) => number) => (requests === 0 ? 0 : sum((m) => pick(m) * m.requests) / requests);
  return {
    requestsPerSecond: seconds === 0 ? 0 : requests / seconds,
    p50: weighted((m) => m.p50),
    p99: weighted((m) => m.p99),
    requests,
    seconds,
    non2xx: sum((m) => m.non2xx),
    errorBodies: sum((m) => m.errorBodies),
    socketErrors: sum((m) => m.socketErrors),
    roundsPerSecond: runs.flatMap((m) => m.roundsPerSecond),
    cpuMs: runs.every((m) => m.cpuMs !== null) ? sum((m) => m.cpuMs!) : null,
  };
}

export interface MeasureOptions {
  /** Measured seconds per side, split over the rounds. */
  readonly seconds: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** Reads the servers' CPU before and after each measured run; null measures throughput only. */
  readonly cpu?: CpuMeter | null;
}

/**
 * Measures Kith and its baseline on one scenario: checks a few answers of each, then runs the rounds in
 * ABBA order (Kith, baseline, baseline, Kith, ...) so slow drift and bursts elsewhere hit both sides alike.
 * Each side gets its warm-up (unmeasured load) just before its first measured run.
 */
export async function measurePair(kith: Side, baseline: Side, options: MeasureOptions): Promise<{ kith: Measurement; baseline: Measurement }> {
  await kith.check();
  await baseline.check();
  const sides = { kith: { side: kith, runs: [] as Measurement[] }, baseline: { side: baseline, runs: [] as Measurement[] } };
  const perRun = options.seconds / options.rounds;
  for (let round = 0; round < options.rounds; round += 1) {
    const order = round % 2 === 0 ? [sides.kith, sides.baseline] : [sides.baseline, sides.kith];
    for (const { side, runs } of order) {
      if (runs.length === 0 && options.warmupSeconds > 0) await side.run(options.warmupSeconds, options.connections);
      runs.push(await side.run(perRun, options.connections, options.cpu ?? null));
    }
  }
  return { kith: combine(sides.kith.runs), baseline: combine(sides.baseline.runs) };
}

/** How many measured requests failed in any way; the bench fails loudly when this is not zero. */
export const failures = (m: Measurement) => m.non2xx + m.errorBodies + m.socketErrors;
