import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql, isObjectType } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, shield } from 'graphql-shield';
import { beforeAll, describe, expect, it } from 'vitest';
import { permissionMap, shieldOptions } from '../../src/auth/permissions.js';
import { buildUnguardedSchema, guard, ruleOf } from '../../src/graphql/schema.js';
import { startKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { CAPTURE } from './operations.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

describe('the permission map', () => {
  it('names a rule for every field of every object type (no field falls through to the default)', () => {
    const schema = buildUnguardedSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const entry = (permissionMap as Record<string, unknown>)[type.name];
      for (const field of Object.keys(type.getFields())) {
        const covered = entry != null && (typeof entry !== 'object' || field in entry || '*' in entry || 'resolve' in entry);
        if (!covered) missing.push(`${type.name}.${field}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('guards every field whose rule can refuse, and only fields whose rule is allow run unguarded', () => {
    const unguarded = buildUnguardedSchema();
    const served = guard(unguarded);
    const unwrapped: string[] = [];
    const wrapped: string[] = [];
    for (const type of Object.values(served.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const own = unguarded.getType(type.name);
      if (!isObjectType(own)) continue;
      for (const field of Object.values(type.getFields())) {
        const name = `${type.name}.${field.name}`;
        (field.resolve === own.getFields()[field.name]!.resolve ? unwrapped : wrapped).push(name);
        if (ruleOf(type.name, field.name) !== allow) expect(field.resolve, name).not.toBe(own.getFields()[field.name]!.resolve);
      }
    }
    expect(unwrapped.filter((name) => ruleOf(...(name.split('.') as [string, string])) !== allow)).toEqual([]);
    expect(unwrapped).toEqual(expect.arrayContaining(['Consent.status', 'ConsentPurpose.key', 'Customer.id', 'Query.consentPurposes']));
    expect(wrapped).toEqual(expect.arrayContaining(['Customer.email', 'Query.customer', 'Mutation.signOut', 'Session.ip']));
  });

  it('exposes no credential material anywhere in the schema', () => {
    const schema = buildUnguardedSchema();
    const names = Object.values(schema.getTypeMap())
      // Mutations take passwords as input (changePassword); what they return is checked with the other types.
      .filter((type) => isObjectType(type) && type !== schema.getMutationType())
      .filter(isObjectType)
      .flatMap((type) => Object.keys(type.getFields()).map((field) => `${type.name}.${field}`));
    // The one exception by design: a service client's secret, returned once by the administrator's
    // createServiceClient and rotateServiceClientSecret, and stored only as a hash.
    const shownOnce = ['IssuedClient.clientSecret'];
    // Whether a connector has secrets stored: a Boolean, never the secrets (they are write-only).
    const flags = ['Connector.secretsSet'];
    const connector = schema.getType('Connector');
    expect(isObjectType(connector) && String(connector.getFields().secretsSet?.type)).toBe('Boolean!');
    expect(names.filter((n) => /password|secret|hash|credential/i.test(n) && !shownOnce.includes(n) && !flags.includes(n))).toEqual([]);
    const payloadOf = (field: string) => String(schema.getMutationType()!.getFields()[field]!.type);
    expect(Object.keys(schema.getMutationType()!.getFields()).filter((f) => payloadOf(f) === 'IssuedClient!').sort()).toEqual([
      'createServiceClient',
      'rotateServiceClientSecret',
    ]);
  });

  it('denies, with FORBIDDEN and no stack, a field the map does not name', async () => {
    const schema = makeExecutableSchema({ typeDefs: 'type Query { named: Int, unnamed: Int }', resolvers: { Query: { named: () => 1, unnamed: () => 2 } } });
    const guarded = applyMiddleware(schema, shield({ Query: { named: permissionMap.Query.viewer } }, shieldOptions));
    const result = await graphql({ schema: guarded, source: '{ named unnamed }', contextValue: {} });
    expect(result.data).toEqual({ named: 1, unnamed: null });
    expect(result.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['unnamed', 'FORBIDDEN']]);
    expect(result.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
  });
});

describe('who may do what over HTTP', () => {
  const operatorOnly: [string, string, Record<string, unknown>][] = [
    ['customer', `query($id: ID!) { customer(id: $id) { id } }`, { id: '00000000-0000-4000-8000-000000000000' }],
    ['customers', `{ customers { edges { node { id } } } }`, {}],
    ['changeEvents', `{ changeEvents { edges { node { type } } } }`, {}],
    ['updateProfile', `mutation { updateProfile(input: { customerId: "00000000-0000-4000-8000-000000000000", attributes: [] }) { customer { id } } }`, {}],
    ['disableCustomer', `mutation { disableCustomer(id: "00000000-0000-4000-8000-000000000000") { customer { id } } }`, {}],
    ['enableCustomer', `mutation { enableCustomer(id: "00000000-0000-4000-8000-000000000000") { customer { id } } }`, {}],
    ['grantConsent', `mutation { grantConsent(input: { customerId: "00000000-0000-4000-8000-000000000000", purpose: "analytics" }) { consent { status } } }`, {}],
    ['withdrawConsent', `mutation { withdrawConsent(input: { customerId: "00000000-0000-4000-8000-000000000000", purpose: "analytics" }) { consent { status } } }`, {}],
    ['defineAttribute', `mutation { defineAttribute(input: { name: "pets", type: INTEGER }) { name } }`, {}],
    ['removeAttribute', `mutation { removeAttribute(name: "company") }`, {}],
    ['definePurpose', `mutation { definePurpose(input: { key: "x", title: "x", description: "x" }) { key } }`, {}],
  ];

  it.each(operatorOnly)('the public may not call %s, and nothing happens', async (_name, query, variables) => {
    const result = await k.gql(query, variables);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Outside production too (the tests run under NODE_ENV=test), a refusal carries no stack trace.
    expect(result.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
    expect(Object.values(result.data ?? {}).every((value) => value === null)).toBe(true);
  });

  it('the operator may call them (they reach the resolver)', async () => {
    for (const [name, query, variables] of operatorOnly.slice(0, 3)) {
      const result = await k.gql(query, variables, { as: 'admin' });
      expect(result.errors, name).toBeUndefined();
    }
    const missing = await k.gql(operatorOnly[3]![1], {}, { as: 'admin' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('the public sees only the id of the customer it captured', async () => {
    const email = uniqueEmail();
    const own = await k.gql(CAPTURE, { input: { email } });
    expect(own.data?.capture.customer.id).toMatch(/^[0-9a-f-]{36}$/);
    const leak = await k.gql(`mutation($input: CaptureInput!) { capture(input: $input) { customer { id email givenName } } }`, {
      input: { email },
    });
    expect(leak.errors?.map((e) => [e.path?.join('.'), e.extensions?.code]).sort()).toEqual([
      ['capture.customer.email', 'UNAUTHENTICATED'],
      ['capture.customer.givenName', 'UNAUTHENTICATED'],
    ]);
    expect(JSON.stringify(leak.data ?? null)).not.toContain(email);
  });

  it('the public reads the catalogs and who it is', async () => {
    const result = await k.ok(`{ viewer { role } consentPurposes { key version } attributeDefinitions { name type builtin } }`);
    expect(result.viewer.role).toBe('PUBLIC');
    expect(result.consentPurposes.map((p: any) => p.key)).toEqual(expect.arrayContaining(['marketing_email', 'product_updates', 'analytics', 'partner_sharing']));
    expect(result.attributeDefinitions).toContainEqual({ name: 'givenName', type: 'STRING', builtin: true });
    expect((await k.ok(`{ viewer { role } }`, {}, { as: 'admin' })).viewer.role).toBe('ADMIN');
  });

  describe('writes per request', () => {
    const twoCaptures = `mutation($a: CaptureInput!, $b: CaptureInput!) { one: capture(input: $a) { created } ...More }
      fragment More on Mutation { two: capture(input: $b) { created } }`;

    it('the public may send one mutation field, aliases and fragments counted, and nothing runs otherwise', async () => {
      const [a, b] = [uniqueEmail(), uniqueEmail()];
      const result = await k.gql(twoCaptures, { a: { email: a }, b: { email: b } });
      expect(result.status).toBe(400);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(/at most 1 mutation field/);
      const found = await k.ok(`query($e: EmailAddress!) { customers(filter: { email: $e }) { edges { node { id } } } }`, { e: a }, { as: 'admin' });
      expect(found.customers.edges).toEqual([]);
    });

    it('the operator may send a few, but not 11', async () => {
      const ok = await k.gql(twoCaptures, { a: { email: uniqueEmail() }, b: { email: uniqueEmail() } }, { as: 'admin' });
      expect(ok.errors).toBeUndefined();
      const many = `mutation { ${Array.from({ length: 11 }, (_, i) => `m${i}: removeAttribute(name: "nothing${i}")`).join(' ')} }`;
      const refused = await k.gql(many, {}, { as: 'admin' });
      expect(refused.errors?.[0]?.message).toMatch(/at most 10 mutation field/);
    });
  });

  it.each([
    ['an empty header', ''],
    ['a wrong key', 'Bearer wrong-key-wrong-key-wrong-key-wrong'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s with 401 UNAUTHENTICATED rather than serving the public', async (_label, authorization) => {
    const response = await fetch(k.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeUndefined();
  });
});
