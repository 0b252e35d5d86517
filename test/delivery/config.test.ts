import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('delivery configuration', () => {
  it('runs the loop by default, and not under NODE_ENV=test unless asked', () => {
    expect(loadConfig({}).delivery).toEqual({
      worker: true, pollMs: 1_000, maxAttempts: 10, timeoutMs: 10_000, leaseMs: 60_000, backoffBaseMs: 1_000, backoffCapMs: 300_000,
    });
    expect(loadConfig({ NODE_ENV: 'test' }).delivery.worker).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', KITH_DELIVERY_WORKER: 'on' }).delivery.worker).toBe(true);
    expect(loadConfig({ KITH_DELIVERY_WORKER: 'off' }).delivery.worker).toBe(false);
  });
  it('refuses values that would break the guarantees', () => {
    expect(() => loadConfig({ KITH_DELIVERY_WORKER: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ KITH_DELIVERY_TIMEOUT_MS: '10000', KITH_DELIVERY_LEASE_MS: '35000' })).toThrow(/four times/);
    expect(loadConfig({ KITH_DELIVERY_TIMEOUT_MS: '10000', KITH_DELIVERY_LEASE_MS: '40000' }).delivery.leaseMs).toBe(40_000);
    expect(() => loadConfig({ KITH_DELIVERY_BACKOFF_BASE_MS: '500', KITH_DELIVERY_BACKOFF_CAP_MS: '100' })).toThrow(ConfigError);
    expect(() => loadConfig({ KITH_DELIVERY_MAX_ATTEMPTS: '0' })).toThrow(ConfigError);
  });
});
