import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { CAPTURE } from './operations.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

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
      const data = await k.ok(GRAPH, { filter, first: 5 }, { as: 'operator' });
      expect(data.customers.edges).toHaveLength(5);
    });
    const large = await statementsDuring(async () => {
      const data = await k.ok(GRAPH, { filter, first: 100 }, { as: 'operator' });
      expect(data.customers.edges).toHaveLength(100);
      expect(data.customers.edges.every((e: any) => e.node.consents.length === 2)).toBe(true);
    });
    expect(large).toBe(small);
    // catalog (filter validation), the page, current consents with purposes, consent history
    expect(large).toBeLessThanOrEqual(4);
  });

  it('loads each customer once per request however often it is asked for', async () => {
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), consents: ['analytics'] } });
    const id = capture.customer.id;
    const query = `query($id: ID!) { a: customer(id: $id) { id consents { status } } b: customer(id: $id) { email consents { status } } }`;
    const count = await statementsDuring(() => k.ok(query, { id }, { as: 'operator' }));
    expect(count).toBe(2);
  });
});
