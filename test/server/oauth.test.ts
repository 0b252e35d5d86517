import { randomInt, randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, startKith, type TestKith, uniqueEmail, uniqueTag } from '../support/kith.js';
import { CAPTURE } from '../graphql/operations.js';

let k: TestKith;
let base: string;
beforeAll(async () => {
  k = await startKith();
  base = k.url.replace(/\/graphql$/, '');
});

type ClientScope = 'CUSTOMERS_READ' | 'SEGMENTS_READ' | 'PROFILES_SUBSCRIBE' | 'PROVISIONING_WRITE';
const CREATE_CLIENT = `mutation($input: CreateServiceClientInput!) { createServiceClient(input: $input) { clientSecret client { id clientId } } }`;

/** A service client made by the worker's administrator. */
async function client(scopes: ClientScope[], purpose?: string) {
  const { createServiceClient } = await k.ok(CREATE_CLIENT, { input: { name: `oauth ${uniqueTag()}`, scopes, purpose } }, { as: 'admin' });
  return { id: createServiceClient.client.id as string, clientId: createServiceClient.client.clientId as string, secret: createServiceClient.clientSecret as string };
}

interface TokenRequest {
  form?: Record<string, string>;
  basic?: { clientId: string; secret: string };
  contentType?: string;
  body?: string;
  /** The X-Forwarded-For address, on a Kith that trusts 127.0.0.1 as its proxy. */
  forwardedFor?: string;
  /** An Authorization header as it is. */
  authorization?: string;
}

/** POST /oauth/token on `on`. */
async function postToken(request: TokenRequest, on = base) {
  const headers: Record<string, string> = { 'content-type': request.contentType ?? 'application/x-www-form-urlencoded' };
  if (request.basic) {
    const encode = (s: string) => encodeURIComponent(s);
    headers.authorization = `Basic ${Buffer.from(`${encode(request.basic.clientId)}:${encode(request.basic.secret)}`).toString('base64')}`;
  }
  if (request.forwardedFor) headers['x-forwarded-for'] = request.forwardedFor;
  if (request.authorization) headers.authorization = request.authorization;
  const response = await fetch(`${on}/oauth/token`, { method: 'POST', headers, body: request.body ?? new URLSearchParams(request.form ?? {}).toString() });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

/** An access token of `c` by client_secret_post, with `scope` when given. */
async function tokenOf(c: { clientId: string; secret: string }, scope?: string): Promise<string> {
  const { status, body } = await postToken({ form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret, ...(scope ? { scope } : {}) } });
  expect(status).toBe(200);
  return body.access_token as string;
}

const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;

describe('POST /oauth/token', () => {
  it.each([['client_secret_basic'], ['client_secret_post']])('issues a Bearer EdDSA JWT by %s, verifiable with the JWKS', async (method) => {
    const c = await client(['CUSTOMERS_READ', 'PROFILES_SUBSCRIBE'], 'analytics');
    const request: TokenRequest =
      method === 'client_secret_basic'
        ? { basic: c, form: { grant_type: 'client_credentials' } }
        : { form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret } };
    const { status, headers, body } = await postToken(request);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number), scope: 'customers:read profiles:subscribe' });
    expect(body.expires_in).toBeGreaterThan(0);
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks as never), { issuer: 'http://localhost:4000', audience: 'kith', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: c.clientId, client_id: c.clientId, scope: 'customers:read profiles:subscribe' });
    expect(payload.exp! - payload.iat!).toBe(body.expires_in);
  });

  it('narrows to a requested scope, and refuses a scope the client lacks with invalid_scope', async () => {
    const c = await client(['CUSTOMERS_READ', 'PROFILES_SUBSCRIBE']);
    const narrowed = await postToken({ form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret, scope: 'profiles:subscribe' } });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('profiles:subscribe');
    expect((await k.ok(`{ viewer { scopes } }`, {}, { token: narrowed.body.access_token })).viewer.scopes).toEqual(['PROFILES_SUBSCRIBE']);
    for (const scope of ['segments:read', 'customers:read segments:read', 'no-such-scope']) {
      const refused = await postToken({ form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret, scope } });
      expect({ status: refused.status, error: refused.body.error }, scope).toEqual({ status: 400, error: 'invalid_scope' });
      expect(refused.body.access_token).toBeUndefined();
    }
  });

  it('refuses an unknown client, a wrong secret or another scheme with 401 invalid_client and a Basic challenge', async () => {
    const c = await client(['SEGMENTS_READ']);
    const cases: [string, TokenRequest][] = [
      ['unknown client, form', { form: { grant_type: 'client_credentials', client_id: `kith_${randomUUID()}`, client_secret: c.secret } }],
      ['wrong secret, form', { form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: `${c.secret}x` } }],
      ['no credentials', { form: { grant_type: 'client_credentials' } }],
      ['unknown client, Basic', { basic: { clientId: `kith_${randomUUID()}`, secret: c.secret }, form: { grant_type: 'client_credentials' } }],
      ['wrong secret, Basic', { basic: { clientId: c.clientId, secret: 'not the secret' }, form: { grant_type: 'client_credentials' } }],
      ['a Bearer token', { authorization: 'Bearer some-token', form: { grant_type: 'client_credentials' } }],
    ];
    for (const [label, request] of cases) {
      const { status, headers, body } = await postToken(request);
      expect({ status, error: body.error, noStore: headers.get('cache-control') }, label).toEqual({ status: 401, error: 'invalid_client', noStore: 'no-store' });
      expect(headers.get('www-authenticate'), label).toMatch(/^Basic realm="kith"/);
    }
  });

  it('takes the form\'s media type in any case', async () => {
    const c = await client(['SEGMENTS_READ']);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret }).toString();
    expect((await postToken({ contentType: 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', body })).status).toBe(200);
  });

  it('answers a body too large in the RFC 6749 shape, not Fastify\'s', async () => {
    const { status, headers, body } = await postToken({ form: { grant_type: 'client_credentials', client_id: 'x'.repeat(5000) } });
    expect({ status, error: body.error, noStore: headers.get('cache-control') }).toEqual({ status: 413, error: 'invalid_request', noStore: 'no-store' });
    expect(JSON.stringify(body)).not.toMatch(/FST_/);
  });

  it('refuses malformed requests with 400 and the RFC 6749 error', async () => {
    const c = await client(['SEGMENTS_READ']);
    const creds = { client_id: c.clientId, client_secret: c.secret };
    const cases: [string, TokenRequest, string][] = [
      ['both Basic and form credentials', { basic: c, form: { grant_type: 'client_credentials', ...creds } }, 'invalid_request'],
      ['no grant_type', { form: creds }, 'invalid_request'],
      ['the password grant', { form: { grant_type: 'password', username: 'someone', password: 'something', ...creds } }, 'unsupported_grant_type'],
      ['a JSON body', { contentType: 'application/json', body: JSON.stringify({ grant_type: 'client_credentials', ...creds }) }, 'invalid_request'],
    ];
    for (const [label, request, error] of cases) {
      const { status, headers, body } = await postToken(request);
      expect({ status, error: body.error, noStore: headers.get('cache-control') }, label).toEqual({ status: 400, error, noStore: 'no-store' });
    }
  });

  it('refuses a disabled client with 401', async () => {
    const c = await client(['SEGMENTS_READ']);
    await k.ok(`mutation($id: ID!) { setServiceClientEnabled(id: $id, enabled: false) { id } }`, { id: c.id }, { as: 'admin' });
    const { status, body } = await postToken({ form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret } });
    expect({ status, error: body.error }).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('answers with 429 rate_limited and Retry-After past the per-IP limit in a minute', async () => {
    const limited = await startKith({ KITH_SIGNIN_ATTEMPTS_PER_IP: '3', KITH_TRUST_PROXY: '127.0.0.1' });
    const on = limited.url.replace(/\/graphql$/, '');
    const c = await client(['SEGMENTS_READ']);
    // An address of this test's own, so other suites' requests from 127.0.0.1 do not count.
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const request: TokenRequest = { form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret }, forwardedFor: ip };
    for (let i = 0; i < 3; i += 1) expect((await postToken(request, on)).status).toBe(200);
    const refused = await postToken(request, on);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await postToken({ ...request, forwardedFor: `${ip.split('.').slice(0, 3).join('.')}.0` }, on)).status).toBe(200);
  });
});

describe('a client token on /graphql', () => {
  it('is a SERVICE_CLIENT viewer with its client id and scopes', async () => {
    const c = await client(['CUSTOMERS_READ', 'SEGMENTS_READ']);
    const { viewer } = await k.ok(`{ viewer { role clientId scopes customerId staffId } }`, {}, { token: await tokenOf(c) });
    expect(viewer).toEqual({ role: 'SERVICE_CLIENT', clientId: c.clientId, scopes: ['CUSTOMERS_READ', 'SEGMENTS_READ'], customerId: null, staffId: null });
  });

  describe('reading customers under consent', () => {
    const purpose = `p_${randomUUID().replace(/-/g, '')}`;
    const tag = uniqueTag();
    const ids: Record<'granted' | 'withdrawn' | 'never', string> = { granted: '', withdrawn: '', never: '' };
    let token: string;
    beforeAll(async () => {
      await k.ok(`mutation($input: DefinePurposeInput!) { definePurpose(input: $input) { key } }`, { input: { key: purpose, title: 'Test purpose', description: 'For the OAuth tests.' } }, { as: 'admin' });
      const capture = async (consents: string[]) =>
        (await k.ok(CAPTURE, { input: { email: uniqueEmail(), attributes: [{ name: 'company', value: tag }], consents } })).capture.customer.id as string;
      ids.granted = await capture([purpose, 'analytics']);
      ids.withdrawn = await capture([purpose]);
      ids.never = await capture(['analytics']);
      await k.ok(`mutation($input: ConsentChangeInput!) { withdrawConsent(input: $input) { consent { status } } }`, { input: { customerId: ids.withdrawn, purpose } }, { as: 'admin' });
      token = await tokenOf(await client(['CUSTOMERS_READ'], purpose));
    });
    const SEARCH = `query($tag: AttributeScalar!) { customers(filter: { attributes: [{ name: "company", equals: $tag }] }, first: 50) { edges { node { id email } } } }`;
    const ONE = `query($id: ID!) { customer(id: $id) { id email consents { purpose { key } status } } }`;

    it('customers(filter) returns only those who granted the purpose', async () => {
      const asAdmin = await k.ok(SEARCH, { tag }, { as: 'admin' });
      expect(asAdmin.customers.edges.map((e: any) => e.node.id).sort()).toEqual(Object.values(ids).sort());
      const asClient = await k.ok(SEARCH, { tag }, { token });
      expect(asClient.customers.edges.map((e: any) => e.node.id)).toEqual([ids.granted]);
      expect(asClient.customers.edges[0].node.email).toMatch(/@example\.com$/);
    });

    it('customer(id) is null for a customer who did not grant it, or withdrew it', async () => {
      const granted = await k.ok(ONE, { id: ids.granted }, { token });
      expect(granted.customer.id).toBe(ids.granted);
      expect(granted.customer.consents).toContainEqual({ purpose: { key: purpose }, status: 'GRANTED' });
      for (const id of [ids.withdrawn, ids.never]) {
        const result = await k.gql(ONE, { id }, { token });
        expect(result.errors).toBeUndefined();
        expect(result.data?.customer).toBeNull();
      }
    });

    it('never reads sessions or step-up methods, even of a consenting customer', async () => {
      for (const field of ['sessions { id }', 'stepUpMethods']) {
        const result = await k.gql(`query($id: ID!) { customer(id: $id) { id ${field} } }`, { id: ids.granted }, { token });
        expect(codeOf(result), field).toBe('FORBIDDEN');
        expect(result.errors?.[0]?.path, field).toEqual(['customer', field.split(' ')[0]]);
      }
    });

    it('is refused a non-consenting customer\'s fields however it reaches them (here through capture)', async () => {
      const { customer } = await k.ok(`query($id: ID!) { customer(id: $id) { email } }`, { id: ids.never }, { as: 'admin' });
      const reached = await k.gql(`mutation($input: CaptureInput!) { capture(input: $input) { customer { id email } } }`, { input: { email: customer.email } }, { token });
      expect(reached.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['capture.customer.email', 'FORBIDDEN']]);
      expect(JSON.stringify(reached.data ?? null)).not.toContain(customer.email);
    });

    it('sees no customer at all without a purpose', async () => {
      const purposeless = await tokenOf(await client(['CUSTOMERS_READ']));
      expect((await k.ok(SEARCH, { tag }, { token: purposeless })).customers.edges).toEqual([]);
      expect((await k.ok(ONE, { id: ids.granted }, { token: purposeless })).customer).toBeNull();
    });
  });

  it('needs customers:read for customers, and profiles:subscribe for changeEvents', async () => {
    const subscriber = await tokenOf(await client(['PROFILES_SUBSCRIBE'], 'analytics'));
    const reader = await tokenOf(await client(['CUSTOMERS_READ'], 'analytics'));
    const CUSTOMERS = `{ customers(first: 1) { edges { node { id } } } }`;
    const EVENTS = `{ changeEvents(first: 1) { edges { node { type } } } }`;
    expect(codeOf(await k.gql(CUSTOMERS, {}, { token: subscriber }))).toBe('FORBIDDEN');
    expect((await k.gql(EVENTS, {}, { token: subscriber })).errors).toBeUndefined();
    expect(codeOf(await k.gql(EVENTS, {}, { token: reader }))).toBe('FORBIDDEN');
    expect((await k.gql(CUSTOMERS, {}, { token: reader })).errors).toBeUndefined();
  });

  describe('ends at once', () => {
    const VIEWER = `{ viewer { role } }`;
    it('when the secret is rotated', async () => {
      const c = await client(['CUSTOMERS_READ']);
      const token = await tokenOf(c);
      expect((await k.gql(VIEWER, {}, { token })).status).toBe(200);
      await k.ok(`mutation($id: ID!) { rotateServiceClientSecret(id: $id) { clientSecret } }`, { id: c.id }, { as: 'admin' });
      const after = await k.gql(VIEWER, {}, { token });
      expect({ status: after.status, code: codeOf(after) }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    });

    it('when the client is disabled, and re-enabling does not revive it', async () => {
      const c = await client(['CUSTOMERS_READ']);
      const token = await tokenOf(c);
      const setEnabled = `mutation($id: ID!, $e: Boolean!) { setServiceClientEnabled(id: $id, enabled: $e) { enabled } }`;
      await k.ok(setEnabled, { id: c.id, e: false }, { as: 'admin' });
      expect((await k.gql(VIEWER, {}, { token })).status).toBe(401);
      await k.ok(setEnabled, { id: c.id, e: true }, { as: 'admin' });
      expect((await k.gql(VIEWER, {}, { token })).status).toBe(401);
      expect((await k.gql(VIEWER, {}, { token: await tokenOf(c) })).status).toBe(200);
    });

    it('when its scopes are narrowed', async () => {
      const c = await client(['CUSTOMERS_READ', 'PROFILES_SUBSCRIBE']);
      const token = await tokenOf(c);
      const update = `mutation($input: UpdateServiceClientInput!) { updateServiceClient(input: $input) { scopes } }`;
      await k.ok(update, { input: { id: c.id, scopes: ['PROFILES_SUBSCRIBE'] } }, { as: 'admin' });
      expect((await k.gql(VIEWER, {}, { token })).status).toBe(401);
      const fresh = await tokenOf(c);
      expect((await k.ok(`{ viewer { scopes } }`, {}, { token: fresh })).viewer.scopes).toEqual(['PROFILES_SUBSCRIBE']);
    });

    it('when its purpose changes', async () => {
      const c = await client(['CUSTOMERS_READ'], 'analytics');
      const token = await tokenOf(c);
      await k.ok(`mutation($input: UpdateServiceClientInput!) { updateServiceClient(input: $input) { id } }`, { input: { id: c.id, purpose: 'marketing_email' } }, { as: 'admin' });
      expect((await k.gql(VIEWER, {}, { token })).status).toBe(401);
    });
  });
});

describe('GET /.well-known/openid-configuration', () => {
  it('names the issuer, the keys, the token endpoint and the client-credentials grant', async () => {
    const response = await fetch(`${base}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: 'http://localhost:4000',
      jwks_uri: 'http://localhost:4000/.well-known/jwks.json',
      token_endpoint: 'http://localhost:4000/oauth/token',
      grant_types_supported: ['client_credentials'],
    });
    expect([...(metadata.token_endpoint_auth_methods_supported as string[])].sort()).toEqual(['client_secret_basic', 'client_secret_post']);
  });
});

describe('an unexpected failure', () => {
  it('reaches the log, not the caller: /oauth/token answers server_error, the JWKS a bare 500', async () => {
    const broken = await startClockedKith({ LOG_LEVEL: 'silent' }, { ownDatabase: true });
    const on = broken.url.replace(/\/graphql$/, '');
    await broken.staffToken('agent'); // the harness's agent is written before the database goes
    await broken.database.close();
    try {
      const token = await postToken({ form: { grant_type: 'client_credentials', client_id: 'kith_someone', client_secret: 'a secret' } }, on);
      expect({ status: token.status, body: token.body, noStore: token.headers.get('cache-control') }).toEqual({
        status: 500,
        body: { error: 'server_error', error_description: 'The token could not be issued: try again later.' },
        noStore: 'no-store',
      });
      const jwks = await fetch(`${on}/.well-known/jwks.json`);
      expect(jwks.status).toBe(500);
      expect(await jwks.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error.' });
    } finally {
      await broken.kith.app.close();
    }
  });
});
