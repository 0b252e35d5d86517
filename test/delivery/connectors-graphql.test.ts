import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInCustomer, startClockedKith } from '../support/kith.js';
import { startSink, type Sink } from './sink.js';
import { capture, CONNECTOR_FIELDS, createWebhook, definePurpose, DELIVERY_ENV, disable, SIGNING_SECRET, until } from './support.js';

const CREATE = `mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }`;
const UPDATE = `mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { ${CONNECTOR_FIELDS} } }`;
const TEST = `mutation($id: ID!) { testConnector(id: $id) { ok retryable error } }`;

describe('connectors in the graph', () => {
  // A database of its own: a delivery pass works through every connector of its database, and on
  // PostgreSQL the worker database holds other files' connectors, whose sinks may hang or be gone.
  let k: Awaited<ReturnType<typeof startClockedKith>>;
  let sink: Sink;
  const made: string[] = [];
  beforeAll(async () => {
    k = await startClockedKith(DELIVERY_ENV, { ownDatabase: true });
    sink = await startSink(SIGNING_SECRET);
  });
  afterAll(async () => {
    for (const id of made) await disable(k, id);
    await k?.close();
    await sink?.close();
  });

  it('shows administrators and agents the configuration and health, never the secrets', async () => {
    const purpose = await definePurpose(k);
    const created = await createWebhook(k, sink, { purpose, maxAttempts: 7 });
    made.push(created.id);
    expect(created).toMatchObject({
      kind: 'WEBHOOK', enabled: true, secretsSet: true, maxAttempts: 7, settings: { url: sink.url }, purpose: { key: purpose },
      fieldMapping: [{ from: 'email', to: 'email' }, { from: 'givenName', to: 'first_name' }, { from: 'attributes.company', to: 'company' }],
      health: { lastSuccessAt: null, lastError: null, lastErrorAt: null, backlog: 0, deadLetters: 0 },
    });
    const { connectors } = await k.ok(`{ connectors { id name } }`, {}, { as: 'agent' });
    expect(connectors.map((c: { id: string }) => c.id)).toContain(created.id);
    const { connector } = await k.ok(`query($id: ID!) { connector(id: $id) { ${CONNECTOR_FIELDS} } }`, { id: created.id }, { as: 'agent' });
    expect(JSON.stringify(connector)).not.toContain(SIGNING_SECRET);
    // No field of the schema reaches the secrets.
    const secretField = await k.gql(`query($id: ID!) { connector(id: $id) { secrets } }`, { id: created.id }, { as: 'admin' });
    expect(secretField.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('lets only administrators change connectors; customers and the public see none', async () => {
    const input = { kind: 'WEBHOOK', name: 'agent-made', settings: { url: sink.url }, secrets: { signingSecret: SIGNING_SECRET } };
    expect((await k.gql(CREATE, { i: input }, { as: 'agent' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await k.gql(`{ connectors { id } }`)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const customer = await signedInCustomer(k, 'a customer passphrase');
    expect((await k.gql(`{ connectors { id } }`, {}, { token: customer.token })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await k.gql(CREATE, { i: input }, { token: customer.token })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const id = made[0]!;
    for (const mutation of [
      `mutation { setConnectorEnabled(id: "${id}", enabled: false) { id } }`,
      `mutation { testConnector(id: "${id}") { ok } }`,
      `mutation { replayDeadLetters(id: "${id}") }`,
    ]) {
      expect((await k.gql(mutation, {}, { as: 'agent' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('refuses bad configuration as BAD_USER_INPUT naming the field', async () => {
    const base = { kind: 'WEBHOOK', name: `bad-${Date.now()}`, settings: { url: sink.url }, secrets: { signingSecret: SIGNING_SECRET } };
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'CARRIER_PIGEON' }, 'kind'],
      [{ settings: { url: 'not a url' } }, 'settings.url'],
      [{ settings: { url: 'ftp://example.com/x' } }, 'settings.url'],
      [{ settings: {} }, 'settings.url'],
      [{ secrets: { signingSecret: 'short' } }, 'secrets.signingSecret'],
      [{ secrets: null }, 'secrets.signingSecret'],
      [{ fieldMapping: [{ from: 'passwordHash', to: 'x' }] }, 'fieldMapping.0.from'],
      [{ purpose: 'no_such_purpose' }, 'purpose'],
      [{ maxAttempts: 0 }, 'maxAttempts'],
      [{ name: ' ' }, 'name'],
    ];
    for (const [change, field] of cases) {
      const result = await k.gql(CREATE, { i: { ...base, ...change } }, { as: 'admin' });
      expect(result.errors?.[0]?.extensions, JSON.stringify(change)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const taken = await k.gql(CREATE, { i: { ...base, name: (await k.ok(`{ connectors { name } }`, {}, { as: 'admin' })).connectors[0].name } }, { as: 'admin' });
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const missing = await k.gql(UPDATE, { i: { id: '00000000-0000-4000-8000-000000000000', name: 'x' } }, { as: 'admin' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('tests the target with the stored configuration, and a new secret replaces the old one', async () => {
    const created = await createWebhook(k, sink);
    made.push(created.id);
    expect((await k.ok(TEST, { id: created.id }, { as: 'admin' })).testConnector).toEqual({ ok: true, retryable: null, error: null });
    expect(sink.received.at(-1)).toMatchObject({ type: 'ping', verified: true });

    sink.script({ status: 503 });
    expect((await k.ok(TEST, { id: created.id }, { as: 'admin' })).testConnector).toEqual({ ok: false, retryable: true, error: 'HTTP 503' });

    // The receiver rotates its secret: Kith's signatures fail (401, not retryable) until the connector has the new one.
    const rotated = 'whsec-rotated-abcdef0123456789';
    sink.setSecret(rotated);
    expect((await k.ok(TEST, { id: created.id }, { as: 'admin' })).testConnector).toEqual({ ok: false, retryable: false, error: 'HTTP 401' });
    const { updateConnector } = await k.ok(UPDATE, { i: { id: created.id, secrets: { signingSecret: rotated }, name: `renamed-${created.id}` } }, { as: 'admin' });
    expect(updateConnector).toMatchObject({ secretsSet: true, name: `renamed-${created.id}`, settings: { url: sink.url } });
    expect((await k.ok(TEST, { id: created.id }, { as: 'admin' })).testConnector.ok).toBe(true);
    sink.setSecret(SIGNING_SECRET);
    await disable(k, created.id);
  });

  it('updates the purpose and mapping; the next changes follow them', async () => {
    const purpose = await definePurpose(k);
    const created = await createWebhook(k, sink);
    made.push(created.id);
    const { updateConnector } = await k.ok(UPDATE, { i: { id: created.id, purpose, fieldMapping: [{ from: 'givenName', to: 'name' }] } }, { as: 'admin' });
    expect(updateConnector).toMatchObject({ purpose: { key: purpose }, fieldMapping: [{ from: 'givenName', to: 'name' }] });
    const granted = await capture(k, [purpose], 'Mapped');
    const other = await capture(k, [], 'Unmapped');
    await until(() => k.kith.delivery.runOnce(), () => sink.acked(granted).length === 2);
    expect(sink.acked(granted)[0]!.fields).toEqual({ name: 'Mapped' });
    expect(sink.received.filter((r) => r.customerId === other)).toEqual([]);
    const cleared = await k.ok(UPDATE, { i: { id: created.id, clearPurpose: true } }, { as: 'admin' });
    expect(cleared.updateConnector.purpose).toBeNull();
  });
});
