import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../support/kith.js';
import { startNodeFlags } from '../support/start-flags.js';

const root = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'kith-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `src/main.ts` with npm start's node flags, on the embedded store, and waits for its URL. */
async function start(): Promise<{ child: ChildProcess; url: string; key: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', KITH_DATA_DIR: dataDir, NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.KITH_OPERATOR_KEY;
  const child = spawn(process.execPath, [...startNodeFlags(), '--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const url = /listening on (http:\/\/\S+\/graphql)/.exec(out)?.[1];
    const key = /process only: (\S+)/.exec(out)?.[1];
    if (url && key) return { child, url, key };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`Kith did not start:\n${out}`);
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('npm start (src/main.ts)', () => {
  it('serves on the embedded store, keeps data across a restart, and shuts down cleanly', async () => {
    const email = uniqueEmail();
    const first = await start();
    const post = (url: string, query: string, variables: Record<string, unknown>, key?: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      }).then((r) => r.json() as Promise<any>);
    const made = await post(first.url, `mutation($e: EmailAddress!) { capture(input: { email: $e }) { created customer { id } } }`, { e: email });
    expect(made.data.capture.created).toBe(true);
    expect(await stop(first.child)).toBe(0);

    const second = await start();
    try {
      expect(second.key).not.toBe(first.key);
      const read = await post(second.url, `query($id: ID!) { customer(id: $id) { email status } }`, { id: made.data.capture.customer.id }, second.key);
      expect(read.data.customer).toEqual({ email, status: 'LIGHT' });
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 120_000);
});
