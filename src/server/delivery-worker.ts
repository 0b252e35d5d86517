import type { DeliveryEngine } from '../domain/delivery/delivery-engine.js';

export interface DeliveryWorker {
  /** One pass: fan out every enabled connector's new changes and deliver what is due. */
  runOnce(): Promise<number>;
  start(): void;
  /** Stops the loop and abandons requests in flight (their leases return them to the queue). */
  stop(): Promise<void>;
}

/**
 * The delivery loop of one process: a pass every `pollMs` (the next starts only after the last ends). Every
 * process runs one; claims keep them from delivering the same change twice.
 */
export function createDeliveryWorker(deps: { engine: DeliveryEngine; pollMs: number; onError: (error: unknown) => void }): DeliveryWorker {
  const shutdown = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | null = null;
  let started = false;

  const runOnce = () => {
    if (shutdown.signal.aborted) return Promise.resolve(0);
    const run = deps.engine.runOnce(shutdown.signal);
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run)).catch(() => undefined);
    return run;
  };

  const schedule = () => {
    if (shutdown.signal.aborted) return;
    timer = setTimeout(async () => {
      try {
        await runOnce();
      } catch (error) {
        if (!shutdown.signal.aborted) deps.onError(error);
      }
      schedule();
    }, deps.pollMs);
  };

  return {
    runOnce,
    start() {
      if (started) return;
      started = true;
      schedule();
    },
    async stop() {
      shutdown.abort();
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
