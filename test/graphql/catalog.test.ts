import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { CAPTURE, CUSTOMER } from './operations.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const DEFINE = `mutation($input: DefineAttributeInput!) {
  defineAttribute(input: $input) { name type description personalData builtin maxLength pattern minimum maximum allowedValues }
}`;
const REMOVE = `mutation($name: String!) { removeAttribute(name: $name) }`;
const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { customer { version attributes { name value } } } }`;

/** An attribute name no other test uses. */
const attributeName = () => `t${uniqueTag().replace(/[^a-z0-9]/gi, '').slice(3, 20)}`;

describe('attribute catalog', () => {
  it('lets the operator add an attribute that capture then accepts and validates', async () => {
    const name = attributeName();
    const defined = await k.ok(DEFINE, { input: { name, type: 'INTEGER', minimum: 0, maximum: 20, personalData: false, description: 'Pets at home' } }, { as: 'admin' });
    expect(defined.defineAttribute).toMatchObject({ name, type: 'INTEGER', minimum: 0, maximum: 20, builtin: false, personalData: false });
    const publicView = await k.ok(`{ attributeDefinitions { name } }`);
    expect(publicView.attributeDefinitions.map((d: any) => d.name)).toContain(name);

    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name, value: 3 }] } });
    const { customer } = await k.ok(CUSTOMER, { id: capture.customer.id }, { as: 'admin' });
    expect(customer.attributes).toEqual([{ name, value: 3 }]);

    const tooMany = await k.gql(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name, value: 21 }] } });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `attributes.${name}` });
    const fractional = await k.gql(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name, value: 2.5 }] } });
    expect(fractional.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('removes a custom attribute only once no customer holds a value', async () => {
    const name = attributeName();
    await k.ok(DEFINE, { input: { name, type: 'STRING', maxLength: 10 } }, { as: 'admin' });
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name, value: 'held' }] } });
    const held = await k.gql(REMOVE, { name }, { as: 'admin' });
    expect(held.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });

    const cleared = await k.ok(UPDATE, { input: { customerId: capture.customer.id, attributes: [{ name, value: null }] } }, { as: 'admin' });
    expect(cleared.updateProfile.customer.attributes).toEqual([]);
    expect(await k.ok(REMOVE, { name }, { as: 'admin' })).toEqual({ removeAttribute: true });
    const gone = await k.gql(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name, value: 'x' }] } });
    expect(gone.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await k.gql(REMOVE, { name }, { as: 'admin' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a type change while customers hold values of the old type', async () => {
    const name = attributeName();
    await k.ok(DEFINE, { input: { name, type: 'STRING' } }, { as: 'admin' });
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name, value: 'text' }] } });
    const retype = await k.gql(DEFINE, { input: { name, type: 'INTEGER' } }, { as: 'admin' });
    expect(retype.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'type' });
    await k.ok(UPDATE, { input: { customerId: capture.customer.id, attributes: [{ name, value: null }] } }, { as: 'admin' });
    const retyped = await k.ok(DEFINE, { input: { name, type: 'INTEGER' } }, { as: 'admin' });
    expect(retyped.defineAttribute.type).toBe('INTEGER');
  });

  it('lets the operator remove a value whose attribute is no longer in the catalog', async () => {
    const name = attributeName();
    await k.ok(DEFINE, { input: { name, type: 'STRING' } }, { as: 'admin' });
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name, value: 'kept' }] } });
    // Simulate the value outliving its definition (a removal racing a capture).
    await k.database.db.execute(sql`delete from attribute_definitions where name = ${name}`);
    const cleared = await k.ok(UPDATE, { input: { customerId: capture.customer.id, attributes: [{ name, value: null }] } }, { as: 'admin' });
    expect(cleared.updateProfile.customer).toEqual({ version: 2, attributes: [] });
    const setting = await k.gql(UPDATE, { input: { customerId: capture.customer.id, attributes: [{ name, value: 'again' }] } }, { as: 'admin' });
    expect(setting.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `attributes.${name}` });
  });

  it('keeps built-in attributes: their type cannot change and they cannot be removed', async () => {
    const retype = await k.gql(DEFINE, { input: { name: 'givenName', type: 'INTEGER' } }, { as: 'admin' });
    expect(retype.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'type' });
    const remove = await k.gql(REMOVE, { name: 'locale' }, { as: 'admin' });
    expect(remove.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
  });

  it.each([
    ['a name with symbols', { name: 'bad-name', type: 'STRING' }, 'name'],
    ['maxLength on a number', { name: 'okName', type: 'NUMBER', maxLength: 3 }, 'type'],
    ['an invalid pattern', { name: 'okName', type: 'STRING', pattern: '([a-z' }, 'pattern'],
    ['minimum above maximum', { name: 'okName', type: 'INTEGER', minimum: 5, maximum: 1 }, 'minimum'],
  ])('refuses a definition with %s', async (_label, input, field) => {
    const result = await k.gql(DEFINE, { input }, { as: 'admin' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});

describe('profile updates', () => {
  it('sets, removes and refuses a stale expectedVersion with CONFLICT', async () => {
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name: 'company', value: 'A' }] } });
    const id = capture.customer.id;
    const updated = await k.ok(UPDATE, {
      input: { customerId: id, expectedVersion: 1, attributes: [{ name: 'company', value: null }, { name: 'phoneNumber', value: '+44 20 7946 0958' }] },
    }, { as: 'admin' });
    expect(updated.updateProfile.customer).toEqual({ version: 2, attributes: [{ name: 'phoneNumber', value: '+442079460958' }] });
    const stale = await k.gql(UPDATE, { input: { customerId: id, expectedVersion: 1, attributes: [{ name: 'company', value: 'B' }] } }, { as: 'admin' });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'expectedVersion' });
    const { customer } = await k.ok(CUSTOMER, { id }, { as: 'admin' });
    expect(customer.version).toBe(2);
  });

  it('disables and re-enables an account, back to the status it had', async () => {
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail() } });
    const TOGGLE = (m: string) => `mutation($id: ID!) { ${m}(id: $id) { customer { status } } }`;
    expect((await k.ok(TOGGLE('disableCustomer'), { id: capture.customer.id }, { as: 'admin' })).disableCustomer.customer.status).toBe('DISABLED');
    expect((await k.ok(TOGGLE('enableCustomer'), { id: capture.customer.id }, { as: 'admin' })).enableCustomer.customer.status).toBe('LIGHT');
  });
});
