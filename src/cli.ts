import { createAccessTokens } from './auth/access-tokens.js';
import { createSigningKeys, publishedAfterRetirement } from './auth/signing-keys.js';
import type { StoredSigningKey } from './domain/keys/signing-key-store.js';
import { type Config, ConfigError, loadConfig } from './config/config.js';
import { systemClock } from './domain/clock.js';
import { DomainError } from './domain/errors.js';
import { createServices } from './server/services.js';
import { type Database, openDatabase } from './store/database.js';
import { createSigningKeyStore } from './store/signing-key-store.js';

export const CLI_USAGE = `Usage: npm run kith -- <command>
  admin create --email <email> [--name <name>]
                create an administrator (the bootstrap path); the password comes from
                KITH_ADMIN_PASSWORD or, when that is unset, from the first line of standard input
  admin reset-totp --email <email>
                remove a staff member's TOTP (a lost phone) and end their tokens: for the last
                administrator, whom no other can reset with resetStaffTotp
  keys rotate [--now]
                publish a new signing key, which signs from 5 minutes on (--now: at once, for a
                leaked key); the old one stays published until its tokens expire
  keys list     print the published keys (kid, created, retired, expires)`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs one command against the configured database; returns what to print. */
export async function runCli(
  args: readonly string[],
  deps: { config: Config; database: Database; readPassword?: () => Promise<string> },
): Promise<string> {
  const { config } = deps;
  const tokenLifetimeSeconds = Math.max(config.accessTokenTtlSeconds, config.staffTokenTtlSeconds);
  const keys = createSigningKeys({
    store: createSigningKeyStore(deps.database.db),
    clock: systemClock,
    encryptionSecret: config.keyEncryptionKey,
    tokenLifetimeSeconds,
  });
  const [area, command, ...rest] = args;
  if (area === 'admin' && (command === 'create' || command === 'reset-totp')) return adminCommand(command, rest, { ...deps, keys });
  const immediately = command === 'rotate' && rest.length === 1 && rest[0] === '--now';
  if (area !== 'keys' || (rest.length > 0 && !immediately)) throw new UsageError(CLI_USAGE);
  switch (command) {
    case 'rotate': {
      const previous = await keys.ensureActive();
      const next = await keys.rotate({ immediately });
      const published = publishedAfterRetirement(tokenLifetimeSeconds);
      return immediately
        ? `Active signing key: ${next.kid} (replaces ${previous}, published for ${published} s more).`
        : `Next signing key: ${next.kid}, published now, signs from ${next.activatesAt.toISOString()}; ${previous} signs until then and stays published ${published} s more.`;
    }
    case 'list': {
      await keys.ensureActive();
      const at = systemClock.now();
      const published = await createSigningKeyStore(deps.database.db).listPublished(at);
      return published
        .map((k) => `${k.kid}  created ${k.createdAt.toISOString()}  ${stateOf(k, at)}`)
        .join('\n');
    }
    default:
      throw new UsageError(CLI_USAGE);
  }
}

/** A published key's state at `at`, for `keys list`. */
function stateOf(key: StoredSigningKey, at: Date): string {
  if (key.activatesAt && key.activatesAt > at) return `next, signs from ${key.activatesAt.toISOString()}`;
  if (key.retiredAt && key.retiredAt <= at) return `retired ${key.retiredAt.toISOString()}, expires ${key.expiresAt?.toISOString()}`;
  return key.retiredAt ? `active until ${key.retiredAt.toISOString()}` : 'active';
}

/**
 * `admin create --email <email> [--name <name>]`: an administrator, whether or not others exist.
 * `admin reset-totp --email <email>`: removes a staff member's TOTP and ends their tokens.
 */
async function adminCommand(
  command: 'create' | 'reset-totp',
  args: readonly string[],
  deps: { config: Config; database: Database; keys: ReturnType<typeof createSigningKeys>; readPassword?: () => Promise<string> },
): Promise<string> {
  const flags = command === 'create' ? ['--email', '--name'] : ['--email'];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]];
    if (!flags.includes(flag) || value === undefined || options.has(flag)) throw new UsageError(CLI_USAGE);
    options.set(flag, value);
  }
  const email = options.get('--email');
  if (!email) throw new UsageError(CLI_USAGE);
  const { config, database } = deps;
  await deps.keys.ensureActive();
  const accessTokens = createAccessTokens({
    signingKeys: deps.keys,
    clock: systemClock,
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: config.accessTokenTtlSeconds,
    staffTtlSeconds: config.staffTokenTtlSeconds,
  });
  const services = createServices({ config, database, clock: systemClock, accessTokens });
  try {
    if (command === 'create') {
      const password = process.env.KITH_ADMIN_PASSWORD || (await (deps.readPassword ?? readFirstLine)());
      const admin = await services.staff.create({ email, name: options.get('--name') ?? 'Administrator', role: 'ADMIN', password });
      return `Administrator ${admin.email} created (id ${admin.id}): sign in with the staffSignIn mutation.`;
    }
    const member = await services.staff.findByEmail(email);
    if (!member) throw new UsageError(`No staff member has the email ${email}.`);
    await services.staff.resetTotp(member.id, null);
    return `TOTP of ${member.email} removed and their tokens ended: they sign in with the password alone until they enrol again.`;
  } catch (error) {
    if (error instanceof DomainError) throw new UsageError(error.message);
    throw error;
  }
}

async function readFirstLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password for the new administrator: ');
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
    if (input.includes('\n')) break;
  }
  return input.split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    await database.migrate();
    console.log(await runCli(process.argv.slice(2), { config, database }));
  } finally {
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) console.error(error.message);
    else console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
