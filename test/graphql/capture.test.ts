import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { CAPTURE, CUSTOMER, CUSTOMER_BY_EMAIL, REGISTER } from './operations.js';
import { changeEventsOnce } from '../support/change-log.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

async function capture(input: Record<string, unknown>) {
  return k.ok<{ capture: { created: boolean; customer: { id: string } } }>(CAPTURE, { input });
}

async function customer(id: string) {
  return (await k.ok<{ customer: Record<string, any> }>(CUSTOMER, { id }, { as: 'admin' })).customer;
}

describe('capture', () => {
  it('creates a light account with attributes, consents and the anonymous visit', async () => {
    const email = uniqueEmail();
    const result = await capture({
      email,
      attributes: [
        { name: 'givenName', value: ' Ada ' },
        { name: 'company', value: 'Analytical Engines' },
        { name: 'locale', value: 'en-gb' },
      ],
      consents: ['marketing_email', 'analytics'],
      anonymousId: 'ga1.2.3456.7890',
    });
    expect(result.capture.created).toBe(true);

    const c = await customer(result.capture.customer.id);
    expect(c).toMatchObject({
      status: 'LIGHT',
      email,
      emailVerified: false,
      givenName: 'Ada',
      locale: 'en-GB',
      anonymousIds: ['ga1.2.3456.7890'],
      version: 1,
    });
    expect(c.attributes).toEqual([
      { name: 'company', value: 'Analytical Engines' },
      { name: 'givenName', value: 'Ada' },
      { name: 'locale', value: 'en-GB' },
    ]);
    expect(c.consents.map((x: any) => [x.purpose.key, x.status, x.source, x.purposeVersion])).toEqual([
      ['analytics', 'GRANTED', 'FORM', 1],
      ['marketing_email', 'GRANTED', 'FORM', 1],
    ]);
  });

  it('is idempotent per email, ignoring case, and merges what is new', async () => {
    const email = uniqueEmail();
    const first = await capture({ email, attributes: [{ name: 'givenName', value: 'Grace' }] });
    const again = await capture({
      email: email.toUpperCase(),
      attributes: [
        { name: 'givenName', value: 'Grace' },
        { name: 'familyName', value: 'Hopper' },
      ],
      anonymousId: 'visit-2',
    });
    expect(again.capture).toEqual({ created: false, customer: { id: first.capture.customer.id } });

    const unchanged = await capture({ email, attributes: [{ name: 'givenName', value: 'Grace' }] });
    expect(unchanged.capture.created).toBe(false);

    const c = await customer(first.capture.customer.id);
    expect(c).toMatchObject({ givenName: 'Grace', familyName: 'Hopper', anonymousIds: ['visit-2'], version: 2, email });
    const found = await k.ok(CUSTOMER_BY_EMAIL, { email: email.toUpperCase() }, { as: 'admin' });
    expect(found.customers.edges).toHaveLength(1);
  });

  it('in a light account, a later capture updates unverified values', async () => {
    const email = uniqueEmail();
    const { capture: made } = await capture({ email, attributes: [{ name: 'company', value: 'Old Co' }] });
    await capture({ email, attributes: [{ name: 'company', value: 'New Co' }] });
    expect((await customer(made.customer.id)).attributes).toEqual([{ name: 'company', value: 'New Co' }]);
  });

  it('never downgrades a registered customer and only fills what the owner left empty', async () => {
    const email = uniqueEmail();
    const { register } = await k.ok(REGISTER, {
      input: { email, password: 'a long enough passphrase', attributes: [{ name: 'givenName', value: 'Owner' }] },
    });
    const { capture: again } = await capture({
      email,
      attributes: [
        { name: 'givenName', value: 'Intruder' },
        { name: 'jobTitle', value: 'Engineer' },
      ],
    });
    expect(again).toEqual({ created: false, customer: { id: register.customer.id } });
    const c = await customer(register.customer.id);
    expect(c.status).toBe('REGISTERED');
    expect(c.givenName).toBe('Owner');
    expect(c.attributes).toContainEqual({ name: 'jobTitle', value: 'Engineer' });
  });

  describe('an anonymous form cannot act for an existing account', () => {
    const GRANTS = `query($id: ID!) { customer(id: $id) { anonymousIds consents { purpose { key } status source } } }`;

    it('changes neither the consents nor the visitor ids of a registered account', async () => {
      const email = uniqueEmail();
      const { register } = await k.ok(REGISTER, { input: { email, password: 'a long enough passphrase', consents: ['analytics'] } });
      await k.ok(`mutation($input: ConsentChangeInput!) { withdrawConsent(input: $input) { consent { status } } }`, {
        input: { customerId: register.customer.id, purpose: 'analytics' },
      }, { as: 'admin' });
      await capture({ email: email.toUpperCase(), consents: ['analytics', 'partner_sharing'], anonymousId: 'attacker-device' });
      const { customer: c } = await k.ok(GRANTS, { id: register.customer.id }, { as: 'admin' });
      expect(c.anonymousIds).toEqual([]);
      expect(c.consents).toEqual([{ purpose: { key: 'analytics' }, status: 'WITHDRAWN', source: 'API' }]);
    });

    it('grants nothing into an existing light account, so no form can release its data to a client', async () => {
      const email = uniqueEmail();
      const { capture: made } = await capture({ email, consents: ['marketing_email'] });
      await k.ok(`mutation($input: ConsentChangeInput!) { withdrawConsent(input: $input) { consent { status } } }`, {
        input: { customerId: made.customer.id, purpose: 'marketing_email' },
      }, { as: 'admin' });
      await capture({ email, consents: ['marketing_email', 'product_updates'], anonymousId: 'second-visit' });
      const { customer: c } = await k.ok(GRANTS, { id: made.customer.id }, { as: 'admin' });
      expect(c.anonymousIds).toEqual(['second-visit']);
      expect(c.consents.map((x: any) => [x.purpose.key, x.status])).toEqual([['marketing_email', 'WITHDRAWN']]);
    });

    it('treats an agent, a customer and a service client capturing someone\'s email as a form', async () => {
      const email = uniqueEmail();
      const { register } = await k.ok(REGISTER, { input: { email, password: 'a long enough passphrase' } });
      const agent = await k.gql(CAPTURE, { input: { email, consents: ['partner_sharing'], consentSource: 'API' } }, { as: 'agent' });
      expect(agent.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      await k.ok(CAPTURE, { input: { email, consents: ['partner_sharing'], anonymousId: 'agent-planted' } }, { as: 'agent' });
      const { customer: c } = await k.ok(GRANTS, { id: register.customer.id }, { as: 'admin' });
      expect(c).toEqual({ anonymousIds: [], consents: [] });
    });

    it('may record only FORM as the source; an administrator may record another', async () => {
      const email = uniqueEmail();
      const refused = await k.gql(CAPTURE, { input: { email, consents: ['analytics'], consentSource: 'SUPPORT' } });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await k.ok(CUSTOMER_BY_EMAIL, { email }, { as: 'admin' })).customers.edges).toEqual([]);
      const { capture: made } = await k.ok(CAPTURE, { input: { email, consents: ['analytics'], consentSource: 'SUPPORT' } }, { as: 'admin' });
      const { customer: c } = await k.ok(GRANTS, { id: made.customer.id }, { as: 'admin' });
      expect(c.consents).toEqual([{ purpose: { key: 'analytics' }, status: 'GRANTED', source: 'SUPPORT' }]);
    });
  });

  it('appends change events in the same transaction', async () => {
    const email = uniqueEmail();
    const { capture: made } = await capture({ email, attributes: [{ name: 'givenName', value: 'Eve' }], consents: ['product_updates'] });
    await capture({ email, attributes: [{ name: 'familyName', value: 'Ng' }] });
    const events = await changeEventsOnce(k, made.customer.id, (logged) => logged.length >= 3);
    expect(events.map((e) => [e.type, e.changedFields, e.actor])).toEqual([
      ['customer.created', ['email', 'status', 'givenName'], 'public'],
      ['consent.granted', ['consents.product_updates'], 'public'],
      ['customer.updated', ['familyName'], 'public'],
    ]);
  });

  it('creates exactly one customer when the same new email is captured concurrently', async () => {
    const email = uniqueEmail();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => capture({ email, attributes: [{ name: 'jobTitle', value: `Role ${i}` }], consents: ['analytics'] })),
    );
    expect(results.filter((r) => r.capture.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.capture.customer.id)).size).toBe(1);
    const found = await k.ok(CUSTOMER_BY_EMAIL, { email }, { as: 'admin' });
    expect(found.customers.edges).toHaveLength(1);
    expect(found.customers.edges[0].node.consents).toHaveLength(1);
  });

  describe('refuses bad input with a coded error and writes nothing', () => {
    const cases: [string, Record<string, unknown>, string, string | undefined][] = [
      ['an unknown attribute', { attributes: [{ name: 'shoeSize', value: 42 }] }, 'BAD_USER_INPUT', 'attributes.shoeSize'],
      ['a malformed value', { attributes: [{ name: 'birthDate', value: '1990-02-30' }] }, 'BAD_USER_INPUT', 'attributes.birthDate'],
      ['a value of the wrong type', { attributes: [{ name: 'company', value: 12 }] }, 'BAD_USER_INPUT', 'attributes.company'],
      ['a value outside allowedValues', { attributes: [{ name: 'newsletterFrequency', value: 'hourly' }] }, 'BAD_USER_INPUT', 'attributes.newsletterFrequency'],
      ['an unknown purpose', { consents: ['marketing_email', 'telepathy'] }, 'BAD_USER_INPUT', 'consents'],
      ['a malformed anonymous id', { anonymousId: 'has spaces in it' }, 'BAD_USER_INPUT', 'anonymousId'],
      ['too many attributes', { attributes: Array.from({ length: 51 }, () => ({ name: 'company', value: 'x' })) }, 'BAD_USER_INPUT', 'attributes'],
      ['a null attribute value', { attributes: [{ name: 'company', value: null }] }, 'BAD_USER_INPUT', 'attributes.company'],
    ];
    it.each(cases)('%s', async (_label, extra, code, field) => {
      const email = uniqueEmail();
      const result = await k.gql(CAPTURE, { input: { email, ...extra } });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code, field });
      expect(result.errors?.[0]?.message).toMatch(/\S{3,}/);
      const found = await k.ok(CUSTOMER_BY_EMAIL, { email }, { as: 'admin' });
      expect(found.customers.edges).toEqual([]);
    });

    it('an invalid email', async () => {
      for (const email of ['not-an-email', 'a@b', `${'x'.repeat(250)}@example.com`, 'two@@example.com']) {
        const result = await k.gql(CAPTURE, { input: { email } });
        expect(result.errors?.[0]?.extensions?.code, email).toBe('BAD_USER_INPUT');
        expect(result.errors?.[0]?.message).toMatch(/EmailAddress/);
      }
    });
  });

  it('refuses capture into a disabled account', async () => {
    const email = uniqueEmail();
    const { capture: made } = await capture({ email });
    await k.ok(`mutation($id: ID!) { disableCustomer(id: $id) { customer { status } } }`, { id: made.customer.id }, { as: 'admin' });
    const result = await k.gql(CAPTURE, { input: { email, attributes: [{ name: 'company', value: 'X' }] } });
    expect(result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await customer(made.customer.id)).attributes).toEqual([]);
  });
});
