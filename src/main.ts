import { ConfigError, loadConfig } from './config/config.js';
import { createKith } from './server/app.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const kith = await createKith(config);
  const address = await kith.app.listen({ host: config.host, port: config.port });
  const shown = address.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost');
  const store = config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`;
  console.log(`Kith is listening on ${shown}/graphql (store: ${store})`);
  if ((await kith.services.staff.list()).every((member) => member.role !== 'ADMIN' || member.disabledAt)) {
    console.log('No administrator yet: create one with `npm run kith -- admin create --email you@example.com`.');
  }
  if (config.keyEncryptionKeyIsDevelopmentDefault) {
    console.log('No KITH_KEY_ENCRYPTION_KEY was set: signing keys are encrypted with a development-only secret.');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    await kith.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
