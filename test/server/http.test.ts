import { beforeAll, describe, expect, it } from 'vitest';
import { startKith, type TestKith } from '../support/kith.js';

let k: TestKith;
let base: string;
beforeAll(async () => {
  k = await startKith();
  base = k.url.replace(/\/graphql$/, '');
});

describe('HTTP surface', () => {
  it('answers health and readiness', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', driver: k.database.driver });
  });

  it('refuses a simple cross-site request (CSRF prevention)', async () => {
    const response = await fetch(`${k.url}?query=${encodeURIComponent('{ viewer { role } }')}`, { method: 'GET' });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('refuses a body above the limit with 413', async () => {
    const response = await fetch(k.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ viewer { role } }`, variables: { pad: 'x'.repeat(300 * 1024) } }),
    });
    expect(response.status).toBe(413);
  });

  it('refuses a document with too many tokens', async () => {
    const query = `{ ${Array.from({ length: 3000 }, () => 'viewer { role }').join(' ')} }`;
    const response = await fetch(k.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('serves Apollo Sandbox to a browser outside production', async () => {
    const response = await fetch(k.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/sandbox/i);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await fetch(k.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
  });
});

describe('in production', () => {
  let prod: TestKith;
  beforeAll(async () => {
    prod = await startKith({ NODE_ENV: 'production' });
  });

  it('serves no landing page and refuses introspection', async () => {
    const page = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/sandbox/i);
    const result = await prod.gql(`{ __schema { types { name } } }`, {}, { as: 'admin' });
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('carries no stack traces and no field suggestions in errors', async () => {
    const denied = await prod.gql(`{ customers { edges { node { id } } } }`);
    expect(denied.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(denied.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
    const typo = await prod.gql(`{ custmers { edges { node { id } } } }`, {}, { as: 'admin' });
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(typo.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
  });

  it('serves an administrator\'s token', async () => {
    const result = await prod.gql(`{ viewer { role } }`, {}, { as: 'admin' });
    expect(result.data).toEqual({ viewer: { role: 'ADMIN' } });
  });
});
