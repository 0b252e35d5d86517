import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMainProcess } from '../support/main-process.js';
import { uniqueEmail } from '../support/kith.js';
import { startSink } from './sink.js';
import { SIGNING_SECRET } from './support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'kith-kill-'));
const ADMIN = { email: 'kill-admin@example.com', password: 'a kill test administrator passphrase' };
// A short timeout and the shortest lease the configuration allows, so the next process takes over soon.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  NODE_ENV: 'development',
  KITH_DATA_DIR: dataDir,
  KITH_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
  KITH_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  KITH_DELIVERY_WORKER: 'on',
  KITH_DELIVERY_POLL_MS: '100',
  KITH_DELIVERY_TIMEOUT_MS: '1000',
  KITH_DELIVERY_LEASE_MS: '4000',
};
delete env.DATABASE_URL;

const start = () => startMainProcess(env);

async function gql(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a Kith process killed during delivery', () => {
  it('loses nothing: after a restart the change it was sending arrives', async () => {
    const sink = await startSink(SIGNING_SECRET);
    try {
      const first = await start();
      children.push(first.child);
      const { staffSignIn } = await gql(first.url, `mutation($i: StaffSignInInput!) { staffSignIn(input: $i) { accessToken } }`, { i: ADMIN });
      await gql(
        first.url,
        `mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }`,
        { i: { kind: 'WEBHOOK', name: 'Killed mid-flight', settings: { url: sink.url }, secrets: { signingSecret: SIGNING_SECRET } } },
        staffSignIn.accessToken,
      );
      sink.script('hang');
      const { capture } = await gql(first.url, `mutation($i: CaptureInput!) { capture(input: $i) { customer { id } } }`, { i: { email: uniqueEmail('killed') } });
      const customerId = capture.customer.id as string;
      // The loop claims the change and sends it; the sink holds the request open: kill -9 now.
      for (let i = 0; i < 300 && !sink.received.some((r) => r.customerId === customerId); i += 1) await new Promise((r) => setTimeout(r, 50));
      expect(sink.received.map((r) => r.answered)).toEqual(['hang']);
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));

      const second = await start();
      children.push(second.child);
      // Once the dead process's lease runs out, the new one delivers the change, with the same idempotency key.
      for (let i = 0; i < 400 && sink.acked(customerId).length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
      const acked = sink.acked(customerId);
      expect(acked.map((r) => r.type)).toEqual(['upsert']);
      expect(acked[0]!.key).toBe(sink.received[0]!.key);
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    } finally {
      await sink.close();
    }
  }, 240_000);
});
