import type { Driver } from './bench-options.js';
import { cpuPerRequest, failures, type Measurement } from './load.js';
import type { Scenario } from './scenarios.js';

/** One scenario on one driver: both measurements, or why it could not be measured. */
export interface ScenarioResult {
  readonly driver: Driver;
  readonly scenario: Scenario['name'];
  readonly title: string;
  /** What Kith is compared with: 'baseline' (the bare server), 'argon2id verify', 'operator read'. */
  readonly baselineLabel: string;
  readonly target: number | null;
  readonly kith: Measurement | null;
  readonly baseline: Measurement | null;
  /** Kith's requests per second over the baseline's (verifications per second for signin). */
  readonly ratio: number | null;
  /** CPU milliseconds per request of each side (cpu-meter.ts), and the baseline's over Kith's; null when not metered. */
  readonly kithCpuMs: number | null;
  readonly baselineCpuMs: number | null;
  readonly cpuRatio: number | null;
  /** Set when a sample check failed, a request failed, or the servers could not be measured. */
  readonly error: string | null;
}

export function scenarioResult(
  driver: Driver,
  scenario: Scenario,
  kith: Measurement | null,
  baseline: Measurement | null,
  error: string | null = null,
): ScenarioResult {
  const failed = [
    kith && failures(kith) > 0 ? `Kith had ${describeFailures(kith)}` : null,
    baseline && failures(baseline) > 0 ? `the ${scenario.baseline.label} side had ${describeFailures(baseline)}` : null,
  ]
    .filter((m) => m !== null)
    .join('; ');
  const kithCpuMs = cpuPerRequest(kith);
  const baselineCpuMs = cpuPerRequest(baseline);
  return {
    driver,
    scenario: scenario.name,
    title: scenario.title,
    baselineLabel: scenario.baseline.label,
    target: scenario.target,
    kith,
    baseline,
    ratio: kith && baseline && baseline.requestsPerSecond > 0 ? kith.requestsPerSecond / baseline.requestsPerSecond : null,
    kithCpuMs,
    baselineCpuMs,
    cpuRatio: kithCpuMs && baselineCpuMs !== null ? baselineCpuMs / kithCpuMs : null,
    error: error ?? (failed === '' ? null : `${failed}: the numbers are not valid`),
  };
}

function describeFailures(m: Measurement): string {
  return `${m.non2xx} non-2xx, ${m.errorBodies} bodies with errors, ${m.socketErrors} socket errors of ${m.requests}`;
}

const rps = (m: Measurement | null) => (m ? Math.round(m.requestsPerSecond).toLocaleString('en-US') : '-');
const cpuMs = (value: number | null) => (value === null ? '-' : value.toFixed(value < 10 ? 2 : 1));
const ms = (value: number | undefined) => (value === undefined ? '-' : value < 10 ? value.toFixed(1) : value.toFixed(0));

/** The verdict against the target; the targets are for PostgreSQL, PGlite's ratio is informative. */
function verdict(result: ScenarioResult): string {
  if (result.error) return 'FAILED';
  if (result.ratio === null) return '-';
  if (result.driver !== 'postgres' || result.target === null) return 'info';
  return result.ratio >= result.target ? 'met' : 'MISSED';
}

/** A line as soon as one scenario is done. */
export function formatScenarioLine(result: ScenarioResult): string {
  const runs = (m: Measurement | null) => (m && m.roundsPerSecond.length > 1 ? ` (runs ${m.roundsPerSecond.map((r) => Math.round(r)).join(', ')})` : '');
  const side = (name: string, m: Measurement | null) =>
    `${name} ${rps(m)} req/s${runs(m)}, p50 ${ms(m?.p50)} ms, p99 ${ms(m?.p99)} ms`;
  const ratio = result.ratio === null ? '-' : result.ratio.toFixed(2);
  const target =
    result.target === null
      ? result.scenario === 'floor'
        ? 'no target: the ceiling before SQL'
        : 'no target'
      : result.driver === 'postgres'
        ? `target >= ${result.target}`
        : `target >= ${result.target} applies to PostgreSQL`;
  const lines = [
    `  [${result.driver}] ${result.title}: ${side('Kith', result.kith)} | ${side(result.baselineLabel, result.baseline)}`,
    `  [${result.driver}] ${result.title}: ratio ${ratio} (${target}) ${verdict(result)}`,
  ];
  if (result.cpuRatio !== null) {
    lines.push(
      `  [${result.driver}] ${result.title}: CPU per request: Kith ${cpuMs(result.kithCpuMs)} ms, ${result.baselineLabel} ${cpuMs(result.baselineCpuMs)} ms; CPU ratio ${result.cpuRatio.toFixed(2)}`,
    );
  }
  if (result.error) lines.push(`  [${result.driver}] ${result.title}: ERROR ${result.error}`);
  return lines.join('\n');
}

/** The final compact table of every scenario on every driver. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const header = ['driver', 'scenario', 'Kith req/s', 'p50 ms', 'p99 ms', 'base req/s', 'p50 ms', 'p99 ms', 'ratio', 'target', 'verdict', 'Kith CPU ms', 'base CPU ms', 'CPU ratio'];
  const rows = results.map((r) => [
    r.driver,
    r.title,
    rps(r.kith),
    ms(r.kith?.p50),
    ms(r.kith?.p99),
    rps(r.baseline),
    ms(r.baseline?.p50),
    ms(r.baseline?.p99),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.target === null ? '-' : `>= ${r.target.toFixed(2)}`,
    verdict(r),
    cpuMs(r.kithCpuMs),
    cpuMs(r.baselineCpuMs),
    r.cpuRatio === null ? '-' : r.cpuRatio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Text columns left-aligned, numbers right-aligned.
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 || i === 10 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
