import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { CAPTURE } from './operations.js';
import { changeEventsOnce } from '../support/change-log.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const GRANT = `mutation($input: ConsentChangeInput!) {
  grantConsent(input: $input) { consent { purpose { key version } purposeVersion status source grantedAt withdrawnAt } customer { version } }
}`;
const WITHDRAW = GRANT.replace('grantConsent', 'withdrawConsent');
const HISTORY = `query($id: ID!) { customer(id: $id) { version consents { purpose { key } status grantedAt withdrawnAt }
  consentHistory { purposeKey purposeVersion status source recordedAt } } }`;

async function newCustomer(): Promise<string> {
  const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail() } });
  return capture.customer.id;
}

describe('consents', () => {
  it('keeps the grant in the history when it is withdrawn', async () => {
    const id = await newCustomer();
    const granted = await k.ok(GRANT, { input: { customerId: id, purpose: 'marketing_email' } }, { as: 'admin' });
    expect(granted.grantConsent.consent).toMatchObject({ status: 'GRANTED', source: 'API', purposeVersion: 1, withdrawnAt: null });
    expect(granted.grantConsent.customer.version).toBe(2);

    const withdrawn = await k.ok(WITHDRAW, { input: { customerId: id, purpose: 'marketing_email', source: 'SUPPORT' } }, { as: 'admin' });
    expect(withdrawn.withdrawConsent.consent).toMatchObject({ status: 'WITHDRAWN', source: 'SUPPORT' });
    expect(withdrawn.withdrawConsent.consent.grantedAt).toBe(granted.grantConsent.consent.grantedAt);
    expect(withdrawn.withdrawConsent.consent.withdrawnAt).not.toBeNull();

    const { customer } = await k.ok(HISTORY, { id }, { as: 'admin' });
    expect(customer.consents).toHaveLength(1);
    expect(customer.consentHistory.map((r: any) => [r.purposeKey, r.status, r.source])).toEqual([
      ['marketing_email', 'GRANTED', 'API'],
      ['marketing_email', 'WITHDRAWN', 'SUPPORT'],
    ]);
    const events = await changeEventsOnce(k, id, (logged) => logged.length >= 3);
    expect(events.map((e) => e.type)).toEqual(['customer.created', 'consent.granted', 'consent.withdrawn']);
  });

  it('reads fresh consents after each write within one operation', async () => {
    const id = await newCustomer();
    const both = `mutation($w: ConsentChangeInput!, $g: ConsentChangeInput!) {
      a: grantConsent(input: $w) { customer { consents { status } } }
      b: withdrawConsent(input: $w) { customer { consents { status } consentHistory { status } } }
      c: grantConsent(input: $g) { customer { version consents { purpose { key } status } consentHistory { purposeKey status } } }
    }`;
    const result = await k.ok(both, { w: { customerId: id, purpose: 'analytics' }, g: { customerId: id, purpose: 'product_updates' } }, { as: 'admin' });
    expect(result.a.customer.consents).toEqual([{ status: 'GRANTED' }]);
    expect(result.b.customer.consents).toEqual([{ status: 'WITHDRAWN' }]);
    expect(result.b.customer.consentHistory).toEqual([{ status: 'GRANTED' }, { status: 'WITHDRAWN' }]);
    expect(result.c.customer.version).toBe(4);
    expect(result.c.customer.consents).toEqual([
      { purpose: { key: 'analytics' }, status: 'WITHDRAWN' },
      { purpose: { key: 'product_updates' }, status: 'GRANTED' },
    ]);
    expect(result.c.customer.consentHistory).toHaveLength(3);
  });

  it('changes nothing when a grant or withdrawal repeats the current decision', async () => {
    const id = await newCustomer();
    await k.ok(GRANT, { input: { customerId: id, purpose: 'analytics' } }, { as: 'admin' });
    const again = await k.ok(GRANT, { input: { customerId: id, purpose: 'analytics' } }, { as: 'admin' });
    expect(again.grantConsent.customer.version).toBe(2);
    await k.ok(WITHDRAW, { input: { customerId: id, purpose: 'analytics' } }, { as: 'admin' });
    const twice = await k.ok(WITHDRAW, { input: { customerId: id, purpose: 'analytics' } }, { as: 'admin' });
    expect(twice.withdrawConsent.customer.version).toBe(3);
    const { customer } = await k.ok(HISTORY, { id }, { as: 'admin' });
    expect(customer.consentHistory).toHaveLength(2);
  });

  it('records the purpose version consented to, and a new grant after a rewording', async () => {
    const key = `p_${uniqueTag().replace(/-/g, '_').slice(4, 20)}`;
    const DEFINE = `mutation($input: DefinePurposeInput!) { definePurpose(input: $input) { key version } }`;
    await k.ok(DEFINE, { input: { key, title: 'Surveys', description: 'We may ask your opinion.' } }, { as: 'admin' });
    const id = await newCustomer();
    await k.ok(GRANT, { input: { customerId: id, purpose: key } }, { as: 'admin' });

    const reworded = await k.ok(DEFINE, { input: { key, title: 'Surveys', description: 'We may ask your opinion by phone.' } }, { as: 'admin' });
    expect(reworded.definePurpose.version).toBe(2);
    const stale = await k.ok(GRANT, { input: { customerId: id, purpose: key } }, { as: 'admin' });
    expect(stale.grantConsent.consent).toMatchObject({ purpose: { key, version: 2 }, purposeVersion: 2 });
    const { customer } = await k.ok(HISTORY, { id }, { as: 'admin' });
    expect(customer.consentHistory.map((r: any) => r.purposeVersion)).toEqual([1, 2]);
  });

  it('answers NOT_FOUND for an unknown customer and BAD_USER_INPUT for an unknown purpose or a malformed id', async () => {
    const missing = await k.gql(GRANT, { input: { customerId: '00000000-0000-4000-8000-000000000000', purpose: 'analytics' } }, { as: 'admin' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const id = await newCustomer();
    const unknown = await k.gql(GRANT, { input: { customerId: id, purpose: 'mind_reading' } }, { as: 'admin' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'purpose' });
    const malformed = await k.gql(GRANT, { input: { customerId: 'not-a-uuid', purpose: 'analytics' } }, { as: 'admin' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
  });
});
