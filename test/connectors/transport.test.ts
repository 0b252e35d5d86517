import { describe, expect, it } from 'vitest';
import { ConnectorConfigError, type Delivery, type DeliveryOutcome } from '../../src/connectors/connector.js';
import { baseUrl } from '../../src/connectors/transport/config-guard.js';
import { failed, succeeded } from '../../src/connectors/transport/failure.js';
import { retryAfterSeconds } from '../../src/connectors/transport/http-call.js';
import { deliverInOrder } from '../../src/connectors/transport/ordered-delivery.js';
import { deliveryOf, newPerson } from './contract.js';

describe('Retry-After', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it('reads delta-seconds and an HTTP-date against the injected clock', () => {
    expect(retryAfterSeconds(new Headers({ 'retry-after': '120' }), now)).toBe(120);
    expect(retryAfterSeconds(new Headers({ 'retry-after': 'Tue, 24 Nov 2026 12:00:30 GMT' }), now)).toBe(30);
    expect(retryAfterSeconds(new Headers({ 'retry-after': 'Tue, 24 Nov 2026 11:00:00 GMT' }), now)).toBe(0);
  });
  it('ignores an absent or unreadable header', () => {
    expect(retryAfterSeconds(new Headers(), now)).toBeUndefined();
    expect(retryAfterSeconds(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });
});

describe('base URLs', () => {
  const parse = (value: string) => baseUrl({ baseUrl: value }, 'settings', 'baseUrl');
  it('take https anywhere and http only on loopback, without the trailing slash', () => {
    expect(parse('https://api.hubapi.com/')).toBe('https://api.hubapi.com');
    expect(parse('http://127.0.0.1:8080/scim/v2')).toBe('http://127.0.0.1:8080/scim/v2');
    expect(parse('http://localhost:3000')).toBe('http://localhost:3000');
  });
  it('refuse plain http to another host, credentials, a query', () => {
    for (const bad of ['http://crm.example.com', 'https://user:pw@crm.example.com', 'https://crm.example.com/?x=1', 'file:///etc/passwd']) {
      expect(() => parse(bad), bad).toThrow(ConnectorConfigError);
    }
  });
});

describe('per-customer order across request groups', () => {
  const groupOf = (d: Delivery) => d.action;
  it('groups consecutive deliveries of one kind, one per customer, up to the batch size', async () => {
    const [a, b, c] = [newPerson(), newPerson(), newPerson()];
    const groups: string[][] = [];
    const deliveries = [deliveryOf('upsert', a), deliveryOf('upsert', b), deliveryOf('upsert', a), deliveryOf('delete', c), deliveryOf('upsert', c)];
    const outcomes = await deliverInOrder(deliveries, groupOf, 10, async (group) => {
      groups.push(group.map((d) => `${d.action}:${d.customerId === a.customerId ? 'a' : d.customerId === b.customerId ? 'b' : 'c'}`));
      return group.map(() => succeeded);
    });
    expect(groups).toEqual([['upsert:a', 'upsert:b'], ['upsert:a'], ['delete:c'], ['upsert:c']]);
    expect(outcomes).toHaveLength(5);
  });

  it("holds back a customer's later changes after a retryable failure, not after a final one", async () => {
    const [a, b] = [newPerson(), newPerson()];
    const sent: string[] = [];
    const outcomeFor = (d: Delivery): DeliveryOutcome =>
      d.customerId === a.customerId ? failed('RATE_LIMITED', 'slow down', 9) : failed('REJECTED', 'bad data');
    const outcomes = await deliverInOrder(
      [deliveryOf('upsert', a), deliveryOf('upsert', b), deliveryOf('delete', a), deliveryOf('delete', b)],
      groupOf,
      10,
      async (group) => {
        sent.push(...group.map((d) => d.idempotencyKey));
        return group.map((d) => (d.action === 'upsert' ? outcomeFor(d) : succeeded));
      },
    );
    expect(sent).toHaveLength(3);
    expect(outcomes[2]).toMatchObject({ ok: false, retryable: true, retryAfterSeconds: 9, error: expect.stringMatching(/^UNAVAILABLE: held back/) });
    expect(outcomes[3]).toEqual({ ok: true });
  });
});
