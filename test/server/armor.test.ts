import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith } from '../support/kith.js';

let k: TestKith;
let prod: TestKith;
beforeAll(async () => {
  k = await startKith();
  prod = await startKith({ NODE_ENV: 'production' });
});


describe('operation shape limits (graphql-armor)', () => {
  it('refuses more than 15 aliases as a failed validation (400), before anything runs', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: consentPurposes { key }`).join(' ')} }`;
    const result = await k.gql(query);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/Aliases limit/);
    const fine = await k.gql(`{ ${Array.from({ length: 15 }, (_, i) => `a${i}: consentPurposes { key }`).join(' ')} }`);
    expect(fine.errors).toBeUndefined();
  });

  it('refuses more than 50 directives', async () => {
    const query = `{ ${'viewer @include(if: true) { role } '.repeat(51)} }`;
    const result = await k.gql(query);
    expect(result.errors?.[0]?.message).toMatch(/Directives limit/);
  });

  it('lets one operation read one full page of 100 customers, not two', async () => {
    const node = `id status email emailVerified givenName familyName phoneNumber phoneNumberVerified locale anonymousIds createdAt updatedAt version
      attributes { name value } consentHistory { purposeKey purposeVersion status source recordedAt }
      consents { status source grantedAt withdrawnAt purposeVersion purpose { key title description version createdAt updatedAt } }`;
    const page = (alias: string) => `${alias}: customers(first: 100) { edges { cursor node { ${node} } } pageInfo { hasNextPage endCursor } }`;
    expect((await k.gql(`{ ${page('one')} }`, {}, { as: 'admin' })).errors).toBeUndefined();
    const result = await k.gql(`{ ${page('one')} ${page('two')} }`, {}, { as: 'admin' });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/Query Cost limit of 25000 exceeded/);
  });

  it('allows the deepest real read, and introspection for Sandbox outside production', async () => {
    const deep = `{ customers(first: 1) { edges { node { consents { purpose { key } } } } } }`;
    expect((await k.gql(deep, {}, { as: 'admin' })).errors).toBeUndefined();
    const introspection = await k.gql(`{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }`);
    expect(introspection.errors).toBeUndefined();
  });

  it('masks field suggestions in production only', async () => {
    const typo = `{ consentPurpose { key } }`;
    expect((await k.gql(typo)).errors?.[0]?.message).toMatch(/Did you mean/);
    expect((await prod.gql(typo)).errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});
