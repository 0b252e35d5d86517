import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../support/gc.js';
import { capture, createWebhook, isolatedKithWithSink } from './support.js';

describe('a target that never answers', () => {
  const made = isolatedKithWithSink();

  it('times the request out, even when garbage collections run while the pass waits', async () => {
    const { k, sink } = made;
    // One attempt: the change is dead-lettered after its timeout rather than tried again in the same pass.
    const connector = await createWebhook(k, sink, { maxAttempts: 1 });
    sink.always('hang');
    const id = await capture(k, [], 'Waiting');
    // Node 20's AbortSignal.any holds the request's timeout signal weakly: before the fix, the first
    // collection took the timeout away and the pass waited for an answer that never came.
    const collecting = setInterval(collectGarbage, 100);
    try {
      const pass = k.kith.delivery.runOnce().then(() => 'returned');
      expect(await Promise.race([pass, sleep(10_000).then(() => 'still waiting after 10 s')])).toBe('returned');
    } finally {
      clearInterval(collecting);
      sink.always(null);
    }
    expect(sink.received.filter((r) => r.customerId === id).map((r) => r.answered)).toEqual(['hang']);
    const { connector: read } = await k.ok(`query($id: ID!) { connector(id: $id) { health { backlog deadLetters lastError } } }`, { id: connector.id }, { as: 'admin' });
    expect(read.health).toEqual({ backlog: 0, deadLetters: 1, lastError: expect.stringMatching(/timed out/) });
  });
});
