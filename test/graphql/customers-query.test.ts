import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { CAPTURE, REGISTER } from './operations.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const PAGE = `query Page($filter: CustomerFilter, $first: Int, $after: String) {
  customers(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id email status createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function page(variables: Record<string, unknown>) {
  return (await k.ok(PAGE, variables, { as: 'admin' })).customers as {
    edges: { cursor: string; node: { id: string; email: string; status: string; createdAt: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** Captures `count` customers tagged with a fresh company name, one after another. */
async function tagged(count: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  const tag = uniqueTag();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { capture } = await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name: 'company', value: tag }], ...extra(i) } });
    ids.push(capture.customer.id);
  }
  return { tag, ids, filter: { attributes: [{ name: 'company', equals: tag }] } };
}

describe('customers', () => {
  it('pages oldest first with keyset cursors, never repeating or skipping', async () => {
    const { ids, filter } = await tagged(5);
    const seen: string[] = [];
    let after: string | null = null;
    const pages: boolean[] = [];
    do {
      const result = await page({ filter, first: 2, after });
      seen.push(...result.edges.map((e) => e.node.id));
      pages.push(result.pageInfo.hasNextPage);
      expect(result.pageInfo.endCursor).toBe(result.edges.at(-1)?.cursor ?? null);
      after = result.pageInfo.hasNextPage ? result.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(ids);
    expect(pages).toEqual([true, true, false]);
  });

  it('pages without a filter through the same keyset order', async () => {
    await tagged(6);
    const six = await page({ first: 6 });
    const firstThree = await page({ first: 3 });
    const nextThree = await page({ first: 3, after: firstThree.pageInfo.endCursor });
    expect([...firstThree.edges, ...nextThree.edges].map((e) => e.node.id)).toEqual(six.edges.map((e) => e.node.id));
    expect(firstThree.pageInfo.hasNextPage).toBe(true);
  });

  it('filters by status, email ignoring case, anonymous id and attribute', async () => {
    const { ids, filter } = await tagged(3, (i) => (i === 1 ? { anonymousId: 'visitor-filter-test' } : {}));
    const email = uniqueEmail();
    const { register } = await k.ok(REGISTER, {
      input: { email, password: 'registered for filtering', attributes: [{ name: 'company', value: filter.attributes[0]!.equals }] },
    });
    const registered = await page({ filter: { ...filter, status: ['REGISTERED'] } });
    expect(registered.edges.map((e) => e.node.id)).toEqual([register.customer.id]);
    const light = await page({ filter: { ...filter, status: ['LIGHT'] } });
    expect(light.edges.map((e) => e.node.id)).toEqual(ids);
    const byEmail = await page({ filter: { email: email.toUpperCase() } });
    expect(byEmail.edges.map((e) => e.node.id)).toEqual([register.customer.id]);
    const byVisit = await page({ filter: { ...filter, anonymousId: 'visitor-filter-test' } });
    expect(byVisit.edges.map((e) => e.node.id)).toEqual([ids[1]]);
  });

  it('filters by built-in attributes and typed custom attributes', async () => {
    const given = uniqueTag();
    const { ids, filter } = await tagged(2);
    await k.ok(`mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { customer { id } } }`, {
      input: { customerId: ids[0], attributes: [{ name: 'givenName', value: given }, { name: 'birthDate', value: '1984-01-24' }] },
    }, { as: 'admin' });
    const byGiven = await page({ filter: { attributes: [{ name: 'givenName', equals: given }] } });
    expect(byGiven.edges.map((e) => e.node.id)).toEqual([ids[0]]);
    const byDate = await page({ filter: { attributes: [...filter.attributes, { name: 'birthDate', equals: '1984-01-24' }] } });
    expect(byDate.edges.map((e) => e.node.id)).toEqual([ids[0]]);
  });

  it('filters by current consent per purpose', async () => {
    const { ids, filter } = await tagged(3, (i) => ({ consents: i === 2 ? [] : ['partner_sharing'] }));
    await k.ok(`mutation($input: ConsentChangeInput!) { withdrawConsent(input: $input) { consent { status } } }`, {
      input: { customerId: ids[1], purpose: 'partner_sharing' },
    }, { as: 'admin' });
    const granted = await page({ filter: { ...filter, consents: [{ purpose: 'partner_sharing', status: 'GRANTED' }] } });
    expect(granted.edges.map((e) => e.node.id)).toEqual([ids[0]]);
    const withdrawn = await page({ filter: { ...filter, consents: [{ purpose: 'partner_sharing', status: 'WITHDRAWN' }] } });
    expect(withdrawn.edges.map((e) => e.node.id)).toEqual([ids[1]]);
  });

  it('filters by created and updated ranges', async () => {
    const { ids, filter } = await tagged(3);
    const all = await page({ filter });
    const [first, second, third] = all.edges.map((e) => e.node.createdAt);
    const after = await page({ filter: { ...filter, createdAfter: first } });
    expect(after.edges.map((e) => e.node.id)).toEqual(ids.filter((_, i) => all.edges[i]!.node.createdAt > first!));
    const before = await page({ filter: { ...filter, createdBefore: third } });
    expect(before.edges.map((e) => e.node.id)).toEqual(ids.filter((_, i) => all.edges[i]!.node.createdAt < third!));
    expect(second).toBeDefined();
    const future = await page({ filter: { ...filter, updatedAfter: new Date(Date.now() + 60_000).toISOString() } });
    expect(future.edges).toEqual([]);
  });

  describe('bad input', () => {
    const cases: [string, Record<string, unknown>, string | undefined][] = [
      ['first above 100', { first: 101 }, 'first'],
      ['first below 1', { first: 0 }, 'first'],
      ['a cursor it never returned', { after: 'bm90IGEgY3Vyc29y' }, 'after'],
      ['an unknown attribute', { filter: { attributes: [{ name: 'nope', equals: 'x' }] } }, 'filter.attributes.nope'],
      ['a value of the wrong type', { filter: { attributes: [{ name: 'birthDate', equals: 12 }] } }, 'filter.attributes.birthDate'],
      ['an unknown purpose', { filter: { consents: [{ purpose: 'nope', status: 'GRANTED' }] } }, 'filter.consents'],
      ['more than 10 conditions', { filter: { attributes: Array.from({ length: 11 }, () => ({ name: 'company', equals: 'x' })) } }, 'filter.attributes'],
    ];
    it.each(cases)('refuses %s with BAD_USER_INPUT', async (_label, variables, field) => {
      const result = await k.gql(PAGE, variables, { as: 'admin' });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    });

    it.each([
      ['an unknown enum value', { filter: { status: ['NOPE'] } }, /CustomerStatus/],
      ['a string for an Int', { first: 'ten' }, /Int/],
    ])('refuses %s in a variable with BAD_USER_INPUT and HTTP 400', async (_label, variables, message) => {
      const result = await k.gql(PAGE, variables, { as: 'admin' });
      expect(result.status).toBe(400);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(message);
    });

    it('refuses a DateTime before year 1, which PostgreSQL cannot store', async () => {
      const result = await k.gql(PAGE, { filter: { createdAfter: '0000-01-01T00:00:00Z' } }, { as: 'admin' });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('refuses a malformed DateTime', async () => {
      const result = await k.gql(PAGE, { filter: { createdAfter: 'yesterday' } }, { as: 'admin' });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(/ISO 8601/);
    });
  });

  it('answers null for an unknown id and BAD_USER_INPUT for a malformed one', async () => {
    const QUERY = `query($id: ID!) { customer(id: $id) { id } }`;
    expect(await k.ok(QUERY, { id: '00000000-0000-4000-8000-000000000000' }, { as: 'admin' })).toEqual({ customer: null });
    const bad = await k.gql(QUERY, { id: "1' or '1'='1" }, { as: 'admin' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});
