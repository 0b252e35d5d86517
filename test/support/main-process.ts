import { type ChildProcess, spawn } from 'node:child_process';
import { loaderFlags, startNodeFlags } from './start-flags.js';

const root = new URL('../..', import.meta.url).pathname;

/**
 * Starts `src/main.ts` as its own process with npm start's node flags and `env`, and waits (up to 90 s) for
 * the URL it prints. `output` is everything it has written so far.
 */
export async function startMainProcess(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [...startNodeFlags(), ...loaderFlags(), 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const url = /listening on (http:\/\/\S+\/graphql)/.exec(out)?.[1];
    if (url) return { child, url, output: () => out };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`Kith did not start:\n${out}`);
}
