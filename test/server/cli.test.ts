import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ACTIVE_KEY_REREAD_SECONDS } from '../../src/auth/signing-keys.js';
import { runCli, UsageError } from '../../src/cli.js';
import { loadConfig } from '../../src/config/config.js';
import { KEY_ENCRYPTION_KEY, startClockedKith, startKith, type TestKith } from '../support/kith.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const config = () => loadConfig({ NODE_ENV: 'test', KITH_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY });

describe('npm run kith', () => {
  it('keys rotate: the new key signs from now on and both are published', async () => {
    // A database of its own: rotating the key every other test file's servers sign with would race them.
    const own = await startClockedKith({}, { ownDatabase: true });
    onTestFinished(() => own.close());
    const k = own;
    const before = (await k.kith.signingKeys.signingKey()).kid;
    const output = await runCli(['keys', 'rotate'], { config: config(), database: k.database });
    // A running process reads the active key again within ACTIVE_KEY_REREAD_SECONDS.
    expect((await k.kith.signingKeys.signingKey()).kid).toBe(before);
    k.advance(ACTIVE_KEY_REREAD_SECONDS * 1000);
    const after = (await k.kith.signingKeys.signingKey()).kid;
    expect(after).not.toBe(before);
    expect(output).toBe(`Active signing key: ${after} (replaces ${before}, published for ${28_800 + ACTIVE_KEY_REREAD_SECONDS} s more).`);
    const response = await fetch(k.url.replace(/\/graphql$/, '/.well-known/jwks.json'));
    const { keys } = (await response.json()) as { keys: { kid: string }[] };
    expect(keys.map((key) => key.kid)).toEqual(expect.arrayContaining([before, after]));
    const listed = await runCli(['keys', 'list'], { config: config(), database: k.database });
    expect(listed).toContain(`${after}  created`);
    expect(listed.split('\n').find((line) => line.startsWith(before))).toMatch(/retired .* expires /);
  });

  it.each([[[]], [['keys']], [['keys', 'burn']], [['users', 'list']], [['keys', 'rotate', 'now']]])('refuses %j with the usage', async (args) => {
    await expect(runCli(args, { config: config(), database: k.database })).rejects.toBeInstanceOf(UsageError);
  });
});
