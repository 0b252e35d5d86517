import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockedKith, uniqueEmail } from '../support/kith.js';
import { clientToken, CORE, provisioner } from '../scim/scim-client.js';
import { createWebhook, DELIVERY_ENV, isolatedKithWithSink, until } from './support.js';

type ClockedKith = Awaited<ReturnType<typeof startClockedKith>>;

describe('provisioning one Kith into another through the SCIM connector', () => {
  // Two Kith instances with databases of their own, as two organisations would run them.
  let source: ClockedKith;
  let target: ClockedKith;
  beforeAll(async () => {
    [source, target] = await Promise.all([startClockedKith(DELIVERY_ENV, { ownDatabase: true }), startClockedKith(DELIVERY_ENV, { ownDatabase: true })]);
    const { token } = await clientToken(target, ['PROVISIONING_WRITE']);
    await source.ok(
      `mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }`,
      {
        i: {
          kind: 'SCIM',
          name: 'Partner directory',
          settings: { baseUrl: target.url.replace(/\/graphql$/, '/scim/v2') },
          secrets: { bearerToken: token },
          // No mapping given: the SCIM kind's own (givenName -> name.givenName, ...).
        },
      },
      { as: 'admin' },
    );
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  const run = () => source.kith.delivery.runOnce();
  const inTarget = async (email: string) =>
    (await target.ok(`query($e: EmailAddress!) { customers(filter: { email: $e }) { edges { node { email status givenName familyName } } } }`, { e: email }, { as: 'admin' }))
      .customers.edges as { node: { email: string; status: string; givenName: string | null; familyName: string | null } }[];

  it('creates, updates and deletes the customer in the other Kith', async () => {
    const email = uniqueEmail('scim-peer');
    const { connectors } = await source.ok(`{ connectors { fieldMapping { from to } } }`, {}, { as: 'admin' });
    expect(connectors[0].fieldMapping).toEqual(expect.arrayContaining([{ from: 'givenName', to: 'name.givenName' }]));
    const { capture } = await source.ok(`mutation($i: CaptureInput!) { capture(input: $i) { customer { id } } }`, {
      i: { email, attributes: [{ name: 'givenName', value: 'Ada' }] },
    });
    for (let i = 0; i < 50 && (await inTarget(email)).length === 0; i += 1) await run();
    expect(await inTarget(email)).toEqual([{ node: { email, status: 'LIGHT', givenName: 'Ada', familyName: null } }]);

    await source.ok(`mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { customer { id } } }`, {
      i: { customerId: capture.customer.id, attributes: [{ name: 'familyName', value: 'Lovelace' }] },
    }, { as: 'admin' });
    for (let i = 0; i < 50 && (await inTarget(email))[0]?.node.familyName !== 'Lovelace'; i += 1) await run();
    expect((await inTarget(email))[0]?.node).toMatchObject({ givenName: 'Ada', familyName: 'Lovelace' });

    // The source deletes the account over its own SCIM: the target's user goes too.
    const targetId = (await target.ok(`query($e: EmailAddress!) { customers(filter: { email: $e }) { edges { node { id } } } }`, { e: email }, { as: 'admin' })).customers.edges[0].node.id;
    const statusInTarget = async () => (await target.ok(`query($id: ID!) { customer(id: $id) { status } }`, { id: targetId }, { as: 'admin' })).customer.status;
    const { s } = await provisioner(source);
    const found = await s.list({ filter: `userName eq "${email}"` });
    expect(found.body.Resources[0].schemas).toContain(CORE);
    expect((await s.request('DELETE', `/Users/${found.body.Resources[0].id}`)).status).toBe(204);
    for (let i = 0; i < 50 && (await statusInTarget()) !== 'DELETED'; i += 1) await run();
    expect(await statusInTarget()).toBe('DELETED');
  });

  it("deletes the target's user when the customer deletes their own account, found by externalId once the email is erased", async () => {
    const email = uniqueEmail('scim-self');
    const password = 'a passphrase for signing in';
    await source.ok(`mutation($i: RegisterInput!) { register(input: $i) { customer { id } } }`, { i: { email, password } });
    for (let i = 0; i < 50 && (await inTarget(email)).length === 0; i += 1) await run();
    const targetId = (await target.ok(`query($e: EmailAddress!) { customers(filter: { email: $e }) { edges { node { id } } } }`, { e: email }, { as: 'admin' })).customers.edges[0].node.id;
    const { signIn } = await source.ok(`mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }`, { i: { email, password } });
    await source.ok(`mutation { deleteMyAccount }`, {}, { token: signIn.accessToken });
    const inTargetById = async () => (await target.ok(`query($id: ID!) { customer(id: $id) { status email } }`, { id: targetId }, { as: 'admin' })).customer;
    for (let i = 0; i < 50 && (await inTargetById()).status !== 'DELETED'; i += 1) await run();
    expect(await inTargetById()).toEqual({ status: 'DELETED', email: null });
  });
});

describe('an account deletion', () => {
  const world = isolatedKithWithSink();

  it('reaches a webhook as a delete, after the changes before it', async () => {
    const { k, sink } = world;
    await createWebhook(k, sink);
    const { s } = await provisioner(k);
    const created = await s.request('POST', '/Users', { schemas: [CORE], userName: uniqueEmail('deleted'), name: { givenName: 'Gone' } });
    expect(created.status).toBe(201);
    const { id } = created.body;
    await until(() => k.kith.delivery.runOnce(), () => sink.acked(id).length === 1);
    expect((await s.request('DELETE', `/Users/${id}`)).status).toBe(204);
    await until(() => k.kith.delivery.runOnce(), () => sink.acked(id).length === 2);
    expect(sink.acked(id).map((r) => r.type)).toEqual(['upsert', 'delete']);
  });
});
