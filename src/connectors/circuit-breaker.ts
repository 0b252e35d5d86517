import CircuitBreaker from 'opossum';
import type { CrmReader } from '../domain/crm/crm.js';

/**
 * Wraps a CRM reader in a circuit breaker (opossum): after half the calls of a rolling window fail, the
 * CRM is left alone for `resetMs`, and calls fail at once instead of waiting for timeouts; one trial call
 * then decides whether to close again. Each process has its own breaker, as each has its own view of the
 * CRM's health.
 */
export function withCircuitBreaker(reader: CrmReader, options: { timeoutMs: number; resetMs: number; volumeThreshold?: number }): CrmReader {
  const breaker = new CircuitBreaker((emails: readonly string[]) => reader.readByEmail(emails), {
    timeout: options.timeoutMs,
    errorThresholdPercentage: 50,
    resetTimeout: options.resetMs,
    volumeThreshold: options.volumeThreshold ?? 3,
  });
  return { purposeKey: reader.purposeKey, maxBatch: reader.maxBatch, readByEmail: (emails) => breaker.fire(emails) };
}
