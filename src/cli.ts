import { createSigningKeys } from './auth/signing-keys.js';
import { type Config, ConfigError, loadConfig } from './config/config.js';
import { systemClock } from './domain/clock.js';
import { type Database, openDatabase } from './store/database.js';
import { createSigningKeyStore } from './store/signing-key-store.js';

export const CLI_USAGE = `Usage: npm run kith -- <command>
  keys rotate   make a new signing key active; the old one stays published until its tokens expire
  keys list     print the published keys (kid, created, retired, expires)`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs one command against the configured database; returns what to print. */
export async function runCli(args: readonly string[], deps: { config: Config; database: Database }): Promise<string> {
  const keys = createSigningKeys({
    store: createSigningKeyStore(deps.database.db),
    clock: systemClock,
    encryptionSecret: deps.config.keyEncryptionKey,
    tokenLifetimeSeconds: deps.config.accessTokenTtlSeconds,
  });
  const [area, command, ...rest] = args;
  if (area !== 'keys' || rest.length > 0) throw new UsageError(CLI_USAGE);
  switch (command) {
    case 'rotate': {
      const previous = await keys.ensureActive();
      const next = await keys.rotate();
      return `Active signing key: ${next} (replaces ${previous}, published for ${deps.config.accessTokenTtlSeconds} s more).`;
    }
    case 'list': {
      await keys.ensureActive();
      const published = await createSigningKeyStore(deps.database.db).listPublished(systemClock.now());
      return published
        .map((k) => `${k.kid}  created ${k.createdAt.toISOString()}  ${k.retiredAt ? `retired ${k.retiredAt.toISOString()}, expires ${k.expiresAt?.toISOString()}` : 'active'}`)
        .join('\n');
    }
    default:
      throw new UsageError(CLI_USAGE);
  }
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
