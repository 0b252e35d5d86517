import { getIntrospectionQuery, parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJitExecutor } from '../../src/graphql/executor.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { startKith, type TestKith, uniqueEmail } from '../support/kith.js';
import { CAPTURE, REGISTER } from './operations.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

/** Sends the same request three times: the first runs on graphql-js, the later ones compiled. */
async function thrice(query: string, variables: Record<string, unknown>, options: { as?: 'admin' } = {}) {
  const answers = [];
  for (let i = 0; i < 3; i += 1) answers.push(await k.gql(query, variables, options));
  return answers;
}

const withoutStacks = (answer: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  JSON.parse(JSON.stringify(answer, (key, value) => (key === 'stacktrace' ? undefined : value)));

describe('compiled operations answer exactly as graphql-js does', () => {
  it('a customer read, refused fields included', async () => {
    const email = uniqueEmail();
    const { capture } = await k.ok(CAPTURE, { input: { email, consents: ['analytics'] } });
    const query = `query Exec($id: ID!) { customer(id: $id) { id email consents { purpose { key } status } } }`;
    const asAdmin = await thrice(query, { id: capture.customer.id }, { as: 'admin' });
    expect(asAdmin[0]!.data).toEqual({ customer: { id: capture.customer.id, email, consents: [{ purpose: { key: 'analytics' }, status: 'GRANTED' }] } });
    expect(asAdmin[1]).toEqual(asAdmin[0]);
    expect(asAdmin[2]).toEqual(asAdmin[0]);
    // The public may not read customers: the same refusal, with its code and path, every time.
    const asPublic = (await thrice(query, { id: capture.customer.id })).map(withoutStacks);
    expect(asPublic[0].errors[0]).toMatchObject({ path: ['customer'], extensions: { code: 'UNAUTHENTICATED' } });
    expect(asPublic[1]).toEqual(asPublic[0]);
    expect(asPublic[2]).toEqual(asPublic[0]);
  });

  it('the introspection query Apollo Sandbox sends', async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const answers = await thrice(query, {});
    expect(answers[0]!.errors).toBeUndefined();
    expect(answers[0]!.data?.__schema.queryType.name).toBe('Query');
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it("a resolver's error keeps its code and field", async () => {
    const answers = (await thrice(REGISTER, { input: { email: uniqueEmail(), password: 'short' } })).map(withoutStacks);
    expect(answers[0].errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('refused variables are BAD_USER_INPUT with HTTP 400', async () => {
    const answers = await thrice(`query ExecVars($first: Int) { customers(first: $first) { edges { cursor } } }`, { first: 'ten' }, { as: 'admin' });
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(answers[2]!.errors?.[0]?.message).toBe(answers[0]!.errors?.[0]?.message);
  });
});

describe('createJitExecutor', () => {
  it('compiles a document the second time it runs, once per operation name', async () => {
    const run = createJitExecutor(buildSchema());
    const document = parse('query A { consentPurposes { key } } query B { attributeDefinitions { name } }');
    const context = { viewer: { role: 'PUBLIC' } };
    const purposes = { consentPurposes: [{ key: 'p' }] };
    const services = { catalog: { listPurposes: async () => purposes.consentPurposes, listAttributes: async () => [] } };
    const contextValue = { ...context, services };
    expect(run.compilations()).toBe(0);
    const first = await run({ document, operationName: 'A', contextValue });
    expect(run.compilations()).toBe(0);
    const second = await run({ document, operationName: 'A', contextValue });
    expect(run.compilations()).toBe(1);
    expect(second).toEqual(first);
    await run({ document, operationName: 'A', contextValue });
    await run({ document, operationName: 'B', contextValue });
    expect(run.compilations()).toBe(1);
    await run({ document, operationName: 'B', contextValue });
    expect(run.compilations()).toBe(2);
    // An unknown operation name cannot be compiled; graphql-js reports it.
    await run({ document, operationName: 'C', contextValue });
    const unknown = await run({ document, operationName: 'C', contextValue });
    expect(unknown.errors?.[0]?.message).toBe('Unknown operation named "C".');
    expect(run.compilations()).toBe(2);
  });

  it('remembers at most maxDocuments documents, the least recently used forgotten first', async () => {
    const run = createJitExecutor(buildSchema(), { maxDocuments: 2 });
    const contextValue = { viewer: { role: 'PUBLIC' }, services: { catalog: { listPurposes: async () => [] } } };
    const [a, b, c] = ['{ consentPurposes { key } }', '{ consentPurposes { title } }', '{ consentPurposes { version } }'].map((q) => parse(q));
    await run({ document: a!, contextValue });
    await run({ document: a!, contextValue });
    expect(run.compilations()).toBe(1);
    await run({ document: b!, contextValue });
    await run({ document: a!, contextValue });
    // c pushes out b, the least recently used; a, used again, stays compiled.
    await run({ document: c!, contextValue });
    await run({ document: a!, contextValue });
    expect(run.compilations()).toBe(1);
    // b was forgotten: this run sees it anew, the next one compiles it.
    await run({ document: b!, contextValue });
    expect(run.compilations()).toBe(1);
    await run({ document: b!, contextValue });
    expect(run.compilations()).toBe(2);
  });
});
