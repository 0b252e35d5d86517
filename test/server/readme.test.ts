import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startKith, type TestKith, uniqueEmail } from '../support/kith.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** Every ```graphql block of the README, in order, its leading indentation removed. */
const all = [...readme.matchAll(/^( *)```graphql\n([\s\S]*?)^ *```/gm)].map((m) => m[2]!.replace(new RegExp(`^${m[1]}`, 'gm'), ''));
/** The examples a signed-in customer runs (marked by their first line), and the walk-through's. */
const CUSTOMER_MARK = '# As the signed-in customer';
const customerBlocks = all.filter((block) => block.startsWith(CUSTOMER_MARK));
const blocks = all.filter((block) => !block.startsWith(CUSTOMER_MARK));

describe('the README walk-through', () => {
  it('has the capture, register, query, withdraw and change-log examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks[0]).toMatch(/capture\(/);
    expect(blocks[1]).toMatch(/register\(/);
  });

  it('runs as written: the first two as the public, the rest as an administrator', async () => {
    // A fresh email stands in for the README's, so the walk-through starts from nothing each run.
    const email = uniqueEmail('ada');
    let customerId = '';
    for (const [index, block] of blocks.entries()) {
      const query = block
        .replaceAll('ada@example.com', email)
        .replaceAll('<id>', customerId)
        .replaceAll('admin@example.com', ADMIN_EMAIL)
        .replaceAll("<the administrator's password>", ADMIN_PASSWORD);
      const result = await k.gql(query, {}, { as: index < 2 ? 'public' : 'admin' });
      expect(result.errors, `README example ${index + 1}:\n${block}`).toBeUndefined();
      if (index === 0) {
        expect(result.data?.capture.created).toBe(true);
        customerId = result.data?.capture.customer.id;
      }
      if (index === 1) expect(result.data?.register).toEqual({ created: false, customer: { id: customerId } });
    }
  });

  it("runs the customer's examples as written, in order, with a freshly signed-in customer's token", async () => {
    expect(customerBlocks.map((block) => block.split('\n')[1])).toEqual(['mutation { exportMyData { generatedAt document } }', 'mutation { deleteMyAccount }']);
    const email = uniqueEmail('readme');
    const password = 'a passphrase for the readme';
    await k.ok(`mutation($i: RegisterInput!) { register(input: $i) { customer { id } } }`, { i: { email, password } });
    const { signIn } = await k.ok(`mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }`, { i: { email, password } });
    for (const block of customerBlocks) {
      const result = await k.gql(block, {}, { token: signIn.accessToken });
      expect(result.errors, `README example:\n${block}`).toBeUndefined();
      if (result.data?.exportMyData) expect(JSON.parse(result.data.exportMyData.document).customer.email).toBe(email);
    }
    expect((await k.gql(`{ me { id } }`, {}, { token: signIn.accessToken })).status).toBe(401);
  });
});
