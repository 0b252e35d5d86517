import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { CAPTURE, CUSTOMER, REGISTER } from './operations.js';
import { changeEventsOnce } from '../support/change-log.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const PASSWORD = 'purple monkey dishwasher 42';

async function passwordHashOf(customerId: string): Promise<string | undefined> {
  const rows = await k.database.db.execute<{ secret_hash: string }>(
    sql`select secret_hash from credentials where customer_id = ${customerId} and kind = 'password'`,
  );
  return (Array.isArray(rows) ? rows : (rows as { rows: { secret_hash: string }[] }).rows)[0]?.secret_hash;
}

describe('register', () => {
  it('creates a registered customer whose password is stored as an argon2id hash', async () => {
    const email = uniqueEmail();
    const { register } = await k.ok(REGISTER, {
      input: { email, password: PASSWORD, attributes: [{ name: 'givenName', value: 'Lin' }], consents: ['product_updates'] },
    });
    expect(register.created).toBe(true);
    const { customer } = await k.ok(CUSTOMER, { id: register.customer.id }, { as: 'admin' });
    expect(customer).toMatchObject({ status: 'REGISTERED', email, givenName: 'Lin', version: 1 });
    expect(customer.consents.map((c: any) => [c.purpose.key, c.source])).toEqual([['product_updates', 'APP']]);
    const hash = await passwordHashOf(register.customer.id);
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(hash).not.toContain(PASSWORD);
  });

  it('upgrades the light account with the same email, keeping what capture knew', async () => {
    const email = uniqueEmail();
    const { capture } = await k.ok(CAPTURE, {
      input: { email, attributes: [{ name: 'givenName', value: 'Kim' }, { name: 'company', value: 'Initech' }], consents: ['marketing_email'] },
    });
    const { register } = await k.ok(REGISTER, {
      input: { email: email.toUpperCase(), password: PASSWORD, attributes: [{ name: 'familyName', value: 'Park' }] },
    });
    expect(register).toEqual({ created: false, customer: { id: capture.customer.id } });

    const { customer } = await k.ok(CUSTOMER, { id: capture.customer.id }, { as: 'admin' });
    expect(customer).toMatchObject({ status: 'REGISTERED', givenName: 'Kim', familyName: 'Park', version: 2 });
    expect(customer.attributes).toContainEqual({ name: 'company', value: 'Initech' });
    expect(customer.consents.map((c: any) => c.purpose.key)).toEqual(['marketing_email']);

    const events = await changeEventsOnce(k, capture.customer.id, (logged) => logged.length >= 4);
    expect(events.map((e) => e.type)).toEqual(['customer.created', 'consent.granted', 'customer.updated', 'customer.registered']);
    expect(events[2]!.changedFields).toEqual(['familyName', 'status', 'credentials.password']);
  });

  it('refuses a second registration of the same email with CONFLICT', async () => {
    const email = uniqueEmail();
    await k.ok(REGISTER, { input: { email, password: PASSWORD } });
    const again = await k.gql(REGISTER, { input: { email: email.toUpperCase(), password: 'another fine passphrase' } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect(again.errors?.[0]?.message).toMatch(/already registered/);
  });

  describe('password policy (NIST SP 800-63B)', () => {
    const refused: [string, string, RegExp][] = [
      ['shorter than 8 characters', 'short7!', /at least 8/],
      ['longer than 128 characters', 'x'.repeat(60) + 'y'.repeat(69), /at most 128/],
      ['among the most common passwords', 'Password123', /most common/],
      ['the email address itself', '', /email/],
    ];
    it.each(refused)('refuses a password %s, and writes nothing', async (_label, password, message) => {
      const email = uniqueEmail();
      const result = await k.gql(REGISTER, { input: { email, password: password || email } });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
      expect(result.errors?.[0]?.message).toMatch(message);
      const retry = await k.ok(REGISTER, { input: { email, password: PASSWORD } });
      expect(retry.register.created).toBe(true);
    });

    it('accepts 64 characters of any kind, spaces and emoji included, with no composition rules', async () => {
      const password = 'ünïcödé passphrase with spaces 🙂 '.padEnd(64, 'z');
      const result = await k.ok(REGISTER, { input: { email: uniqueEmail(), password } });
      expect(result.register.created).toBe(true);
    });
  });

  it('refuses bad attributes and writes nothing', async () => {
    const email = uniqueEmail();
    const result = await k.gql(REGISTER, { input: { email, password: PASSWORD, attributes: [{ name: 'phoneNumber', value: '555-0100' }] } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'attributes.phoneNumber' });
    const retry = await k.ok(REGISTER, { input: { email, password: PASSWORD } });
    expect(retry.register.created).toBe(true);
  });
});
