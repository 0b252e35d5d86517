import { describe, expect, it } from 'vitest';
import { uniqueEmail } from '../support/kith.js';
import { createWebhook, definePurpose, isolatedKithWithSink, rename, until } from './support.js';

const PASSWORD = 'a passphrase for signing in';

describe('an account deletion, through a purpose-bound webhook', () => {
  const world = isolatedKithWithSink();
  let purpose = '';

  /** A registered, consenting customer, signed in: their id and a fresh token (enough for the deletion). */
  async function consenting() {
    const { k, sink } = world;
    if (!purpose) {
      purpose = await definePurpose(k);
      await createWebhook(k, sink, { purpose });
    }
    const email = uniqueEmail('gone');
    const { register } = await k.ok(`mutation($i: RegisterInput!) { register(input: $i) { customer { id } } }`, { i: { email, password: PASSWORD, consents: [purpose] } });
    const { signIn } = await k.ok(`mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }`, { i: { email, password: PASSWORD } });
    return { id: register.customer.id as string, token: signIn.accessToken as string };
  }

  const run = () => world.k.kith.delivery.runOnce();

  it('arrives as one delete without personal data: the consent withdrawals it implies send no unsubscribe', async () => {
    const { k, sink } = world;
    const { id, token } = await consenting();
    // Registration sends its upserts (created, registered, consent granted) before the deletion.
    await until(run, () => sink.acked(id).length === 3);
    await k.ok(`mutation { deleteMyAccount }`, {}, { token });
    await until(run, () => sink.acked(id).length === 4);
    await run();
    expect(sink.received.filter((r) => r.customerId === id).map((r) => r.type)).toEqual(['upsert', 'upsert', 'upsert', 'delete']);
    expect(sink.acked(id)[3]!.fields).toEqual({});
  });

  it('leaves changes still queued at the deletion unsent: only the delete goes', async () => {
    const { k, sink } = world;
    const { id, token } = await consenting();
    await rename(k, id, 'Renamed');
    await k.ok(`mutation { deleteMyAccount }`, {}, { token });
    await until(run, () => sink.acked(id).length === 1);
    await run();
    expect(sink.received.filter((r) => r.customerId === id).map((r) => r.type)).toEqual(['delete']);
    const { connectors } = await k.ok(`{ connectors { health { backlog deadLetters } } }`, {}, { as: 'admin' });
    expect(connectors[0].health).toEqual({ backlog: 0, deadLetters: 0 });
  });
});
