import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, type TestKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { CAPTURE } from './operations.js';

let k: TestKith & { close(): Promise<void> };
beforeAll(async () => {
  // Principals read from the database on every request here, so the counts below are exact whatever the
  // cache knows (test/graphql/principal-cache.test.ts proves what the cache saves). A database of its own:
  // the catalogs stay cached unless they change, and no other test changes them here.
  k = await startClockedKith({ KITH_PRINCIPAL_CACHE_SECONDS: '0' }, { ownDatabase: true });
  // Sign the administrator in and read the catalogs now, so the counts below hold only the requests' own statements.
  await k.ok('{ viewer { role } attributeDefinitions { name } }', {}, { as: 'admin' });
});
afterAll(() => k.close());

/** Every staff request first checks, with one prepared statement, that its staff member is still active. */
const STAFF_CHECK = 1;

const GRAPH = `query($filter: CustomerFilter, $first: Int) {
  customers(filter: $filter, first: $first) {
    edges { node { id email attributes { name value }
      consents { purpose { key title version } status grantedAt }
      consentHistory { purposeKey status } } }
  }
}`;

/** Statements the database received while `work` ran. */
async function statementsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = k.database.statementCount();
  await work();
  return k.database.statementCount() - before;
}

describe('batching', () => {
  it('reads 100 customers with consents and purposes in as many statements as 5', async () => {
    const tag = uniqueTag();
    const filter = { attributes: [{ name: 'company', equals: tag }] };
    for (let i = 0; i < 100; i += 1) {
      await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name: 'company', value: tag }], consents: ['analytics', 'marketing_email'] } });
    }
    const small = await statementsDuring(async () => {
      const data = await k.ok(GRAPH, { filter, first: 5 }, { as: 'admin' });
      expect(data.customers.edges).toHaveLength(5);
    });
    const large = await statementsDuring(async () => {
      const data = await k.ok(GRAPH, { filter, first: 100 }, { as: 'admin' });
      expect(data.customers.edges).toHaveLength(100);
      expect(data.customers.edges.every((e: any) => e.node.consents.length === 2)).toBe(true);
    });
    expect(large).toBe(small);
    // the page with consents and purposes, the consent history (the catalog that checks the filter is cached)
    expect(large).toBe(STAFF_CHECK + 2);
  });

  it('reads a customer and its consents in one statement, however often and however they are asked for', async () => {
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), consents: ['analytics', 'product_updates'] } });
    const id = capture.customer.id;
    const aliases = `query($id: ID!) { a: customer(id: $id) { id consents { status } } b: customer(id: $id) { email consents { purpose { key } } } }`;
    let data: any;
    expect(await statementsDuring(async () => (data = await k.ok(aliases, { id }, { as: 'admin' })))).toBe(STAFF_CHECK + 1);
    expect(data.b.consents.map((c: any) => c.purpose.key)).toEqual(['analytics', 'product_updates']);

    const fragments = `query($id: ID!) { customer(id: $id) { ...Profile } } fragment Profile on Customer { id ... on Customer { consents { status purpose { title } } } }`;
    expect(await statementsDuring(async () => (data = await k.ok(fragments, { id }, { as: 'admin' })))).toBe(STAFF_CHECK + 1);
    expect(data.customer.consents).toHaveLength(2);

    const withoutConsents = `query($id: ID!) { customer(id: $id) { id email } }`;
    expect(await statementsDuring(() => k.ok(withoutConsents, { id }, { as: 'admin' }))).toBe(STAFF_CHECK + 1);
  });

  it('pages customers with their consents in one statement', async () => {
    const tag = uniqueTag();
    await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name: 'company', value: tag }], consents: ['analytics'] } });
    const query = `query($filter: CustomerFilter) { customers(filter: $filter) { edges { node { id consents { purpose { key } status } } } } }`;
    let data: any;
    const count = await statementsDuring(async () => (data = await k.ok(query, { filter: { attributes: [{ name: 'company', equals: tag }] } }, { as: 'admin' })));
    // the page with its consents (the attribute catalog that checks the filter is cached)
    expect(count).toBe(STAFF_CHECK + 1);
    expect(data.customers.edges[0].node.consents).toEqual([{ purpose: { key: 'analytics' }, status: 'GRANTED' }]);
  });
});

describe('capture statements', () => {
  it('writes a new email in one statement, and a known one in a transaction under its row lock', async () => {
    const email = uniqueEmail();
    const input = { email, attributes: [{ name: 'company', value: 'Ada Ltd' }], consents: ['analytics', 'marketing_email'] };
    let created: { capture: { created: boolean; customer: { id: string } } } | undefined;
    // The customer, two consents, their history and three events: data-modifying CTEs, one statement,
    // after the one that counts a public capture against its address's limit.
    expect(await statementsDuring(async () => (created = await k.ok(CAPTURE, { input })))).toBe(2);
    expect(created?.capture.created).toBe(true);
    // Staff are not limited by address: the staff member's check, then the write alone.
    expect(await statementsDuring(() => k.ok(CAPTURE, { input: { email: uniqueEmail() } }, { as: 'admin' }))).toBe(STAFF_CHECK + 1);
    // A known email: the limit's statement, the same single insert (it inserts nothing), then the locked merge.
    const again = await statementsDuring(() => k.ok(CAPTURE, { input: { email, attributes: [{ name: 'givenName', value: 'Ada' }] } }));
    expect(again).toBeGreaterThan(2);
    const { customer } = await k.ok<{ customer: { givenName: string; consents: { status: string }[] } }>(
      'query($id: ID!) { customer(id: $id) { givenName consents { status } } }',
      { id: created!.capture.customer.id },
      { as: 'admin' },
    );
    expect(customer).toEqual({ givenName: 'Ada', consents: [{ status: 'GRANTED' }, { status: 'GRANTED' }] });
  });
});
