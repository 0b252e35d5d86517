import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../support/kith.js';
import { startMainProcess } from '../support/main-process.js';
import { loaderFlags } from '../support/start-flags.js';

const root = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'kith-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', KITH_DATA_DIR: dataDir, NODE_ENV: 'development' };
delete env.DATABASE_URL;

const start = () => startMainProcess(env);

/** `npm run kith -- admin create`, as a process of its own, with the password on standard input. */
async function createAdmin(email: string, password: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [...loaderFlags(), 'src/cli.ts', 'admin', 'create', '--email', email], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  child.stdin!.end(`${password}\n`);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out };
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
    expect(first.output()).toMatch(/No administrator yet: create one with `npm run kith -- admin create/);
    expect(await stop(first.child)).toBe(0);

    const admin = await createAdmin('first-admin@example.com', 'the first administrator passphrase');
    expect(admin).toMatchObject({ code: 0, out: expect.stringMatching(/Administrator first-admin@example.com created/) });
    expect((await createAdmin('second-admin@example.com', 'password')).code).toBe(2);

    const second = await start();
    try {
      expect(second.output()).not.toMatch(/No administrator yet/);
      const signIn = await post(second.url, `mutation($i: StaffSignInInput!) { staffSignIn(input: $i) { accessToken staffMember { role } } }`, {
        i: { email: 'first-admin@example.com', password: 'the first administrator passphrase' },
      });
      expect(signIn.errors).toBeUndefined();
      expect(signIn.data.staffSignIn.staffMember.role).toBe('ADMIN');
      const read = await post(second.url, `query($id: ID!) { customer(id: $id) { email status } }`, { id: made.data.capture.customer.id }, signIn.data.staffSignIn.accessToken);
      expect(read.data.customer).toEqual({ email, status: 'LIGHT' });
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 300_000);
});
