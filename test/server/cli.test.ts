import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ACTIVE_KEY_REREAD_SECONDS, PUBLISHED_BEFORE_SIGNING_SECONDS, publishedAfterRetirement } from '../../src/auth/signing-keys.js';
import { runCli, UsageError } from '../../src/cli.js';
import { loadConfig } from '../../src/config/config.js';
import { KEY_ENCRYPTION_KEY, startClockedKith, startKith, type TestKith } from '../support/kith.js';

let k: TestKith;
beforeAll(async () => {
  k = await startKith();
});

const config = () => loadConfig({ NODE_ENV: 'test', KITH_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY });

describe('npm run kith', () => {
  it('keys rotate: the new key is published at once and signs after the JWKS max-age', async () => {
    // A database of its own: rotating the key every other test file's servers sign with would race them.
    const own = await startClockedKith({}, { ownDatabase: true });
    onTestFinished(() => own.close());
    const before = (await own.kith.signingKeys.signingKey()).kid;
    // The CLI runs on the system clock: the server's test clock catches up with it first.
    own.advance(Date.now() - own.now().getTime());
    const output = await runCli(['keys', 'rotate'], { config: config(), database: own.database });
    const [, next, from] = /^Next signing key: (\S+), published now, signs from (\S+); /.exec(output) ?? [];
    expect(output).toBe(`Next signing key: ${next}, published now, signs from ${from}; ${before} signs until then and stays published ${publishedAfterRetirement(28_800)} s more.`);
    const jwks = async () => ((await (await fetch(own.url.replace(/\/graphql$/, '/.well-known/jwks.json'))).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    expect(await jwks()).toEqual(expect.arrayContaining([before, next]));
    expect(await runCli(['keys', 'list'], { config: config(), database: own.database })).toContain(`${next}  created`);
    own.advance(PUBLISHED_BEFORE_SIGNING_SECONDS * 1000 + ACTIVE_KEY_REREAD_SECONDS * 1000);
    expect((await own.kith.signingKeys.signingKey()).kid).toBe(next);
  });

  it('keys rotate --now: the new key signs within the reread interval, for a leaked key', async () => {
    const own = await startClockedKith({}, { ownDatabase: true });
    onTestFinished(() => own.close());
    const before = (await own.kith.signingKeys.signingKey()).kid;
    own.advance(Date.now() - own.now().getTime());
    const output = await runCli(['keys', 'rotate', '--now'], { config: config(), database: own.database });
    // A running process reads the active key again within ACTIVE_KEY_REREAD_SECONDS.
    expect((await own.kith.signingKeys.signingKey()).kid).toBe(before);
    own.advance(ACTIVE_KEY_REREAD_SECONDS * 1000);
    const after = (await own.kith.signingKeys.signingKey()).kid;
    expect(after).not.toBe(before);
    expect(output).toBe(`Active signing key: ${after} (replaces ${before}, published for ${publishedAfterRetirement(28_800)} s more).`);
    const listed = await runCli(['keys', 'list'], { config: config(), database: own.database });
    expect(listed).toContain(`${after}  created`);
    expect(listed.split('\n').find((line) => line.startsWith(before))).toMatch(/retired .* expires /);
  });

  it.each([[[]], [['keys']], [['keys', 'burn']], [['users', 'list']], [['keys', 'rotate', 'now']]])('refuses %j with the usage', async (args) => {
    await expect(runCli(args, { config: config(), database: k.database })).rejects.toBeInstanceOf(UsageError);
  });
});
