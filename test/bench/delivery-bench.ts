import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import postgres from 'postgres';
import { loadConfig } from '../../src/config/config.js';
import { createKith } from '../../src/server/app.js';
import { type Database, openDatabase } from '../../src/store/database.js';
import type { BenchOptions, Driver } from './bench-options.js';

/** Delivery throughput, measured in this process: Kith's engine against a bare POST loop to one sink. */
export interface DeliveryResult {
  readonly driver: Driver;
  readonly events: number;
  /** Changes delivered per second by Kith (fan-out, claim, signed POST, record), or null on failure. */
  readonly kithPerSecond: number | null;
  /** The same number of JSON POSTs per second to the same sink, with as many in flight as Kith sends. */
  readonly baselinePerSecond: number | null;
  readonly ratio: number | null;
  readonly error: string | null;
}

/** A webhook receiver that answers 204 at once and counts what it received. */
async function startSink(): Promise<{ server: Server; url: string; received: () => number }> {
  let count = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      count += 1;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received: () => count };
}

/** `count` POSTs of `body`, `inFlight` at a time: what a sender with no queue, no signing and no SQL manages. */
async function postLoop(url: string, count: number, inFlight: number, body: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next += 1;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return count / ((performance.now() - started) / 1000);
}

/** The webhook kind sends the deliveries of one batch concurrently: its maxBatch is what it keeps in flight. */
const WEBHOOK_IN_FLIGHT = 10;

/**
 * Captures `events` new customers after a webhook connector (no purpose: every change leaves) is created,
 * then runs delivery passes until the sink has them all; the baseline POSTs as many bodies of the same size.
 */
export async function benchDelivery(driver: Driver, options: BenchOptions, log: (m: string) => void): Promise<DeliveryResult> {
  const events = options.deliveryEvents;
  const name = `kith_bench_delivery_${randomBytes(6).toString('hex')}`;
  const admin = driver === 'postgres' ? postgres(`${options.pgUrlBase}/postgres`, { max: 1, onnotice: () => {} }) : null;
  let database: Database | null = null;
  const sink = await startSink();
  try {
    if (admin) await admin.unsafe(`create database "${name}"`);
    database = await openDatabase({ databaseUrl: admin ? `${options.pgUrlBase}/${name}` : undefined, dataDir: 'memory://', poolSize: options.poolSize });
    await database.migrate();
    const secret = randomBytes(24).toString('hex');
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'error', KITH_KEY_ENCRYPTION_KEY: secret, KITH_DELIVERY_WORKER: 'off', DATABASE_URL: '' });
    const kith = await createKith(config, { database });
    try {
      await kith.services.connectors.create({ kind: 'WEBHOOK', name: 'bench sink', settings: { url: sink.url }, secrets: { signingSecret: secret } });
      log(`${driver}: delivery: capturing ${events} customers behind a webhook connector`);
      for (let i = 0; i < events; i += 1) {
        await kith.services.customers.capture({ email: `delivery-${i}-${name}@example.com`, ip: null }, { kind: 'system' });
      }
      const started = performance.now();
      while (sink.received() < events && performance.now() - started < 300_000) await kith.delivery.runOnce();
      if (sink.received() < events) throw new Error(`only ${sink.received()} of ${events} changes arrived in 300 s`);
      const kithPerSecond = events / ((performance.now() - started) / 1000);
      // The same shape and size as a webhook delivery body.
      const body = JSON.stringify({ id: `${name}:1`, type: 'upsert', customerId: name, occurredAt: new Date().toISOString(), fields: { email: `delivery-0-${name}@example.com`, givenName: null, familyName: null } });
      const baselinePerSecond = await postLoop(sink.url, events, WEBHOOK_IN_FLIGHT, body);
      return { driver, events, kithPerSecond, baselinePerSecond, ratio: kithPerSecond / baselinePerSecond, error: null };
    } finally {
      await kith.close();
    }
  } catch (error) {
    return { driver, events, kithPerSecond: null, baselinePerSecond: null, ratio: null, error: (error as Error).message };
  } finally {
    sink.server.close();
    await database?.close();
    if (admin) {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    }
  }
}

export function formatDelivery(result: DeliveryResult): string {
  if (result.error) return `  [${result.driver}] delivery: FAILED: ${result.error}`;
  const rate = (n: number | null) => (n === null ? '-' : Math.round(n).toLocaleString('en-US'));
  return (
    `  [${result.driver}] delivery (${result.events} changes to a local webhook sink): Kith ${rate(result.kithPerSecond)} changes/s | ` +
    `bare POST loop ${rate(result.baselinePerSecond)} posts/s | ratio ${result.ratio?.toFixed(2)} (info)`
  );
}
