import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loaderFlags } from '../support/start-flags.js';

/**
 * The servers under test run in child processes, so they never share an event loop with autocannon.
 * A child announces its URLs once listening (a line on stdout, and a message on the IPC channel the parent
 * reads), and shuts down on SIGTERM, SIGINT or when the parent goes away (the IPC channel closes).
 */

export type ServerUrls = Record<string, string>;

const READY_PREFIX = 'kith-bench ready ';

// ---------------------------------------------------------------- child side

/** Whether the module at `metaUrl` is the script node was started with. */
export function isMainModule(metaUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(metaUrl);
}

/** Tells the parent (and anyone reading stdout) where the servers listen. */
export function announceReady(urls: ServerUrls): void {
  console.log(`${READY_PREFIX}${JSON.stringify(urls)}`);
  process.send?.({ type: 'ready', urls });
}

/** Runs `close` once on the first of SIGTERM, SIGINT or parent exit, then exits. */
export function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    const timer = setTimeout(() => process.exit(1), 10_000);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('bench child: error while closing', error);
        clearTimeout(timer);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

// ---------------------------------------------------------------- parent side

export interface BenchChild {
  readonly urls: ServerUrls;
  /** The child's process id (the bench meters its CPU). */
  readonly pid: number;
  /** SIGTERM, then SIGKILL if the child has not exited after a few seconds. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

/**
 * Starts `node [flags] --import tsx/esm <script>` (npm start's loader) with the given extra environment and waits for its ready message.
 * The child's stderr and stdout (but its ready line) pass through, so its errors show up in the bench output.
 */
export async function startChild(
  script: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
  timeoutMs = 180_000,
): Promise<BenchChild> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...nodeFlags, ...loaderFlags(), path], {
    // The loader resolves from the working directory: run from the project root whatever the caller's.
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  // Pass the child's output through, except its ready line (the IPC message carries the same news).
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith(READY_PREFIX)) console.log(line);
    });
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await done;
    clearTimeout(timer);
  };

  try {
    const urls = await new Promise<ServerUrls>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`${script} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
      child.on('message', (message: unknown) => {
        const { type, urls: announced } = (message ?? {}) as { type?: string; urls?: ServerUrls };
        if (type === 'ready' && announced) {
          clearTimeout(timer);
          ready(announced);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`${script} exited before it was ready (code ${code}, signal ${signal})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
    });
    return { urls, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
