import { describe, expect, it } from 'vitest';
import { actionFor, backoffMs, checkFieldMapping, mapFields, settle } from '../../src/domain/delivery/delivery-rules.js';
import { newCustomer } from '../../src/domain/customers/customer.js';
import type { ChangeEvent, ChangeEventType } from '../../src/domain/events/change-event.js';
import { retryAfterSeconds } from '../../src/connectors/webhook/client.js';
import { signWebhook, verifyWebhook } from '../../src/connectors/webhook/signature.js';

const policy = { baseMs: 100, capMs: 1_000, maxRetryAfterMs: 60_000 };

describe('backoff', () => {
  it('grows exponentially up to the cap, with the full range of jitter', () => {
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffMs(a, policy, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
    expect(backoffMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffMs(1_000, policy, () => 0.5)).toBe(500);
  });
});

describe('settle', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const context = { maxAttempts: 3, now, policy, random: () => 0.5 };
  it('marks success delivered', () => {
    expect(settle({ id: 1, attempts: 0 }, { ok: true }, context)).toEqual({ id: 1, status: 'delivered' });
  });
  it('retries a retryable failure after the backoff, or after Retry-After when given', () => {
    expect(settle({ id: 1, attempts: 1 }, { ok: false, retryable: true, error: 'HTTP 500' }, context)).toEqual({
      id: 1, status: 'pending', nextAttemptAt: new Date(now.getTime() + 100), error: 'HTTP 500',
    });
    expect(settle({ id: 1, attempts: 0 }, { ok: false, retryable: true, retryAfterSeconds: 7, error: 'HTTP 429' }, context)).toMatchObject({
      status: 'pending', nextAttemptAt: new Date(now.getTime() + 7_000),
    });
    expect(settle({ id: 1, attempts: 0 }, { ok: false, retryable: true, retryAfterSeconds: 86_400, error: 'HTTP 429' }, context)).toMatchObject({
      nextAttemptAt: new Date(now.getTime() + 60_000),
    });
  });
  it('dead-letters a permanent refusal at once, and any failure on the last attempt', () => {
    expect(settle({ id: 1, attempts: 0 }, { ok: false, retryable: false, error: 'HTTP 400' }, context)).toEqual({ id: 1, status: 'dead', error: 'HTTP 400' });
    expect(settle({ id: 1, attempts: 2 }, { ok: false, retryable: true, error: 'HTTP 503' }, context)).toEqual({ id: 1, status: 'dead', error: 'HTTP 503' });
  });
});

describe('actionFor', () => {
  const event = (type: ChangeEventType, changedFields: string[] = []): ChangeEvent => ({
    id: 1, txId: '1', customerId: 'c', type, changedFields, actor: 'public', occurredAt: new Date(),
  });
  const bound = { purposeKey: 'news', fieldMapping: { email: 'email', 'attributes.company': 'company' } };
  const open = { purposeKey: null, fieldMapping: bound.fieldMapping };
  const granted = { granted: true, everGranted: true };
  const withdrawn = { granted: false, everGranted: true };
  const never = { granted: false, everGranted: false };

  it('upserts a granted customer on creation, registration, a mapped update and the grant of its purpose', () => {
    expect(actionFor(event('customer.created'), bound, granted)).toBe('upsert');
    expect(actionFor(event('customer.registered'), bound, granted)).toBe('upsert');
    expect(actionFor(event('customer.updated', ['attributes.company']), bound, granted)).toBe('upsert');
    expect(actionFor(event('consent.granted', ['consents.news']), bound, granted)).toBe('upsert');
  });
  it('sends nothing for an update of unmapped fields or credentials, another purpose, or status changes', () => {
    expect(actionFor(event('customer.updated', ['credentials.password', 'givenName']), bound, granted)).toBeNull();
    expect(actionFor(event('consent.granted', ['consents.other']), bound, granted)).toBeNull();
    expect(actionFor(event('consent.withdrawn', ['consents.other']), bound, withdrawn)).toBeNull();
    expect(actionFor(event('customer.disabled', ['status']), bound, granted)).toBeNull();
    expect(actionFor({ ...event('customer.created'), customerId: null }, bound, granted)).toBeNull();
  });
  it('unsubscribes on withdrawal of its purpose, and sends nothing of customers who withdrew or never granted', () => {
    expect(actionFor(event('consent.withdrawn', ['consents.news']), bound, withdrawn)).toBe('unsubscribe');
    expect(actionFor(event('customer.created'), bound, withdrawn)).toBeNull();
    expect(actionFor(event('customer.created'), bound, never)).toBeNull();
    expect(actionFor(event('customer.created'), bound, undefined)).toBeNull();
    expect(actionFor(event('consent.withdrawn', ['consents.news']), bound, never)).toBeNull();
  });
  it('sends every customer profile change through a connector without a purpose, and no consent events', () => {
    expect(actionFor(event('customer.created'), open, undefined)).toBe('upsert');
    expect(actionFor(event('customer.updated', ['email']), open, undefined)).toBe('upsert');
    expect(actionFor(event('consent.withdrawn', ['consents.news']), open, undefined)).toBeNull();
    expect(actionFor(event('consent.granted', ['consents.news']), open, undefined)).toBeNull();
  });
});

describe('field mapping', () => {
  it('maps profile fields and attributes to target names', () => {
    const customer = { ...newCustomer({ id: 'c', email: 'a@example.com', status: 'LIGHT', at: new Date('2026-01-01T00:00:00Z') }), givenName: 'Ada', attributes: { company: 'AE' } };
    const mapping = checkFieldMapping([{ from: 'email', to: 'Email' }, { from: 'attributes.company', to: 'org' }, { from: 'createdAt', to: 'since' }, { from: 'attributes.none', to: 'x' }]);
    expect(mapFields(customer, mapping)).toEqual({ Email: 'a@example.com', org: 'AE', since: '2026-01-01T00:00:00.000Z', x: null });
  });
  it('refuses unknown Kith fields and repeated fields', () => {
    expect(() => checkFieldMapping([{ from: 'password', to: 'p' }])).toThrow(expect.objectContaining({ field: 'fieldMapping.0.from' }));
    expect(() => checkFieldMapping([{ from: 'email', to: 'e' }, { from: 'givenName', to: 'e' }])).toThrow(expect.objectContaining({ field: 'fieldMapping.1' }));
    expect(() => checkFieldMapping([{ from: 'email', to: '' }])).toThrow(expect.objectContaining({ field: 'fieldMapping.0.to' }));
  });
});

describe('webhook signature and Retry-After', () => {
  it('verifies what it signs, and refuses another body, secret or an old timestamp', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const header = signWebhook('s'.repeat(32), '{"a":1}', at);
    expect(header).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook('s'.repeat(32), '{"a":1}', header, at)).toBe(true);
    expect(verifyWebhook('s'.repeat(32), '{"a":2}', header, at)).toBe(false);
    expect(verifyWebhook('t'.repeat(32), '{"a":1}', header, at)).toBe(false);
    expect(verifyWebhook('s'.repeat(32), '{"a":1}', header, new Date(at.getTime() + 301_000))).toBe(false);
  });
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
  });
});

describe("the README's verification snippet", () => {
  it('accepts what Kith signs and refuses a changed body', async () => {
    const { readFileSync } = await import('node:fs');
    const crypto = await import('node:crypto');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const snippet = /```js\n([\s\S]*?function verify[\s\S]*?)```/.exec(readme)![1]!.replace(/^import .*$/m, '');
    const verify = new Function('createHmac', 'timingSafeEqual', `${snippet}; return verify;`)(crypto.createHmac, crypto.timingSafeEqual);
    const body = '{"id":"k:1","type":"upsert"}';
    const header = signWebhook('a-signing-secret-of-some-length', body, new Date());
    expect(verify('a-signing-secret-of-some-length', body, header)).toBe(true);
    expect(verify('a-signing-secret-of-some-length', `${body} `, header)).toBe(false);
  });
});
