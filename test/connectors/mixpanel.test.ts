import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixpanelKind } from '../../src/connectors/mixpanel/index.js';
import { startMixpanelPeer, type MixpanelPeer } from '../support/peers/mixpanel.js';
import { clientFor, connectorContract, deliveryOf, newPerson, type ContractSubject } from './contract.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

const subject: ContractSubject<MixpanelPeer> = {
  kind: mixpanelKind,
  startPeer: () => startMixpanelPeer({ token: TOKEN }),
  settings: (url) => ({ baseUrl: url }),
  secrets: { projectToken: TOKEN },
  wrongSecrets: { projectToken: 'ffffffffffffffffffffffffffffffff' },
  fields: (person, givenName) => ({ $email: person.email, $first_name: givenName }),
  rejectedFields: (person) => ({ $email: person.email, ['x'.repeat(300)]: 'too long a name' }),
  view: (peer, person) => {
    const profile = peer.profile(person.customerId);
    return profile && { givenName: profile.$first_name as string | undefined, optedOut: profile.kith_marketing_opt_out === true };
  },
  badConfig: [
    { settings: { baseUrl: 'mixpanel.com' }, field: 'settings.baseUrl' },
    { settings: { optOutProperty: 'x'.repeat(256) }, field: 'settings.optOutProperty' },
    { secrets: {}, field: 'secrets.projectToken' },
    { secrets: { projectToken: 'has spaces in it' }, field: 'secrets.projectToken' },
    { secrets: [TOKEN], field: 'secrets' },
  ],
};

connectorContract(subject);

describe('Mixpanel specifics', () => {
  let peer: MixpanelPeer;
  beforeAll(async () => {
    peer = await startMixpanelPeer({ token: TOKEN });
  });
  afterAll(() => peer.close());

  it('sends one /engage batch: $set (with the opt-out for an unsubscribe), $unset of null fields, $delete', async () => {
    const [a, b, c] = [newPerson(), newPerson(), newPerson()];
    const before = peer.requests.length;
    const outcomes = await clientFor(subject, peer).deliver([
      deliveryOf('upsert', a, { $email: a.email, $phone: null }),
      deliveryOf('unsubscribe', b, { $email: b.email }),
      deliveryOf('delete', c),
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const sent = peer.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/engage', headers: { 'content-type': 'application/json' } });
    expect(sent[0]!.query.get('verbose')).toBe('1');
    expect(sent[0]!.body).toEqual([
      { $token: TOKEN, $distinct_id: a.customerId, $set: { $email: a.email } },
      { $token: TOKEN, $distinct_id: a.customerId, $unset: ['$phone'] },
      { $token: TOKEN, $distinct_id: b.customerId, $set: { $email: b.email, kith_marketing_opt_out: true } },
      { $token: TOKEN, $distinct_id: c.customerId, $delete: null },
    ]);
  });

  it('test() unsets a property on a sentinel profile and creates nothing', async () => {
    expect(await clientFor(subject, peer).test()).toEqual({ ok: true });
    expect(peer.profile('kith-connection-test')).toBeUndefined();
  });

  it('a refused batch (200 with status 0) is resent one delivery at a time', async () => {
    const [a, b] = [newPerson(), newPerson()];
    peer.fail({ status: 200, message: 'scripted refusal' });
    const before = peer.requests.length;
    const outcomes = await clientFor(subject, peer).deliver([deliveryOf('upsert', a, { $name: 'A' }), deliveryOf('upsert', b, { $name: 'B' })]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    expect(peer.requests.length - before).toBe(3);
  });

  it("a 429 without Retry-After is retryable with the engine's own backoff", async () => {
    peer.fail({ status: 429, message: 'Project exceeded rate limits. Please retry the request with exponential backoff.' });
    const [outcome] = await clientFor(subject, peer).deliver([deliveryOf('upsert', newPerson(), {})]);
    expect(outcome).toEqual({ ok: false, retryable: true, error: expect.stringMatching(/^RATE_LIMITED: Project exceeded rate limits/) });
    expect(outcome).not.toHaveProperty('retryAfterSeconds');
  });
});
