import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { GraphQLError } from 'graphql';
import { createAccessTokens } from '../auth/access-tokens.js';
import { createSigningKeys, type SigningKeys } from '../auth/signing-keys.js';
import { createPrincipalCache } from '../auth/principal-cache.js';
import { createPrincipalLoader } from '../auth/principals.js';
import { actorOf, createViewerResolver, underStaffMfaPolicy } from '../auth/viewer.js';
import type { Config } from '../config/config.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { DomainError } from '../domain/errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { createArmor } from '../graphql/armor.js';
import { createErrorFormatter, describeForLog } from '../graphql/errors.js';
import { createLoaders } from '../graphql/loaders.js';
import { operationLimitsPlugin } from '../graphql/operation-limits.js';
import { rateLimitStatusPlugin } from '../graphql/rate-limit-status.js';
import { executingGateway } from '../graphql/executor.js';
import { buildSchema } from '../graphql/schema.js';
import { type Database, openDatabase } from '../store/database.js';
import { type PrincipalChangeFeed, startPrincipalChangeFeed } from '../store/principal-changes.js';
import { createCatalogCache } from '../store/catalog-store.js';
import { createSigningKeyStore } from '../store/signing-key-store.js';
import type { Services } from '../domain/services.js';
import { createServices } from './services.js';
import { registerScimRoutes } from './scim-routes.js';
import { registerTokenEndpoint } from './token-endpoint.js';
import { registerWellKnown } from './well-known.js';
import { createDeliveryWorker, type DeliveryWorker } from './delivery-worker.js';
import { createRecoveryMailer, describeMailError } from './recovery-mailer.js';

export interface Kith {
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly signingKeys: SigningKeys;
  readonly services: Services;
  /** This process's id in kith_instances, also in the application_name of its listening connection (`kith-principals-<id>`). */
  readonly instanceId: string;
  /** This process's outbound delivery loop; `runOnce()` makes one pass (tests drive it with the loop off). */
  readonly delivery: DeliveryWorker;
  /** Stops the server, then closes the database unless it was passed in. */
  close(): Promise<void>;
}

export interface KithOptions {
  /** An open database to use (tests share one per worker); otherwise one is opened from the config. */
  database?: Database;
  clock?: Clock;
}

/** How often a process proves it hears principal changes; a revocation waits at most three of these. */
const PRINCIPAL_HEARTBEAT_MS = 1_000;
const PRINCIPAL_CACHE_ENTRIES = 50_000;

/**
 * The principal cache and the change feed that keeps it true. The feed runs even with
 * KITH_PRINCIPAL_CACHE_SECONDS=0, when nothing is cached here: this process's revocations must still
 * wait for the processes that do cache.
 */
async function startPrincipals(config: Config, database: Database, warn: (message: string, details: Record<string, unknown>) => void) {
  let feed: PrincipalChangeFeed | null = null;
  const trusted = () => feed?.trusted() ?? false;
  const cache =
    config.principalCacheSeconds === 0
      ? undefined
      : createPrincipalCache({ ttlMs: config.principalCacheSeconds * 1000, maxEntries: PRINCIPAL_CACHE_ENTRIES, trusted });
  const catalogCache = createCatalogCache(trusted);
  feed = await startPrincipalChangeFeed(database, {
    onChange: (change) => cache?.forget(change),
    onCatalogChange: () => catalogCache.clear(),
    onReset: () => {
      cache?.clear();
      catalogCache.clear();
    },
    heartbeatMs: PRINCIPAL_HEARTBEAT_MS,
    warn,
  });
  const started = feed;
  return { cache, catalogCache, settle: () => started.settle(), instanceId: started.instanceId, close: () => started.close() };
}

/** The composition root: database, services, schema, Apollo and the HTTP routes. Does not listen. */
export async function createKith(config: Config, options: KithOptions = {}): Promise<Kith> {
  if (options.database) return assemble(config, options.database, false, options.clock);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  try {
    return await assemble(config, database, true, options.clock);
  } catch (error) {
    // A start that fails (a wrong KITH_KEY_ENCRYPTION_KEY, say) must not leave its connections open.
    await database.close();
    throw error;
  }
}

async function assemble(config: Config, database: Database, ownsDatabase: boolean, givenClock?: Clock): Promise<Kith> {
  if (!database.migrated()) await database.migrate();

  const clock = givenClock ?? systemClock;
  const signingKeys = createSigningKeys({
    store: createSigningKeyStore(database.db),
    clock,
    encryptionSecret: config.keyEncryptionKey,
    // A retired key stays published as long as the longest-lived token it may have signed.
    tokenLifetimeSeconds: Math.max(config.accessTokenTtlSeconds, config.staffTokenTtlSeconds),
  });
  await signingKeys.ensureActive();
  const accessTokens = createAccessTokens({
    signingKeys,
    clock,
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: config.accessTokenTtlSeconds,
    staffTtlSeconds: config.staffTokenTtlSeconds,
  });
  const app = Fastify({ bodyLimit: config.bodyLimit, logger: { level: config.logLevel }, trustProxy: config.trustProxy });
  const principals = await startPrincipals(config, database, (message, details) => app.log.warn(details, message));
  try {
    const { smtpUrl } = config.recovery;
    const recoveryMailer = smtpUrl ? createRecoveryMailer({ ...config.recovery, smtpUrl }) : null;
    const services = createServices({
      config,
      database,
      clock,
      accessTokens,
      settlePrincipalChanges: principals.settle,
      catalogCache: principals.catalogCache,
      recoveryMailer,
      onMailError: (error) => app.log.error({ err: describeMailError(error) }, 'a password recovery code could not be recorded or mailed'),
    });
    if (config.bootstrapAdmin) await services.staff.createFirstAdmin({ ...config.bootstrapAdmin, name: 'Administrator' });
    const resolveViewer = createViewerResolver({ verifyAccessToken: accessTokens.verify, loadPrincipal: createPrincipalLoader(services, principals.cache, () => clock.now().getTime()) });

    const armor = createArmor({ production: config.production });
    const apollo = new ApolloServer<GraphQLContext>({
      // graphql-jit runs operations seen before; Apollo still parses, validates and formats (executor.ts).
      gateway: executingGateway(buildSchema()),
      introspection: !config.production,
      includeStacktraceInErrorResponses: !config.production,
      hideSchemaDetailsFromClientErrors: config.production,
      maxRecursiveSelections: true,
      parseOptions: { maxTokens: 5_000 },
      csrfPrevention: true,
      validationRules: armor.validationRules,
      // Compact JSON: Apollo pretty-prints by default, which costs on every page of customers.
      stringifyResult: (value) => JSON.stringify(value),
      formatError: createErrorFormatter({
        production: config.production,
        logUnexpected: (error) => app.log.error({ err: error }, 'unexpected error in a GraphQL request'),
      }),
      plugins: [
        fastifyApolloDrainPlugin(app),
        // Kith sets no cache hints; the default plugin would add a hook to every resolved field.
        ApolloServerPluginCacheControlDisabled(),
        operationLimitsPlugin({ publicMutationFields: 1, mutationFields: 10 }),
        rateLimitStatusPlugin(),
        ...armor.plugins,
        config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ],
    });
    await apollo.start();

    // Every route without a handler of its own (GraphQL's plumbing, the well-known documents, health): Fastify's
    // default would send an unexpected error's message, which may hold SQL and its parameters; it goes to the
    // log instead. Set before any route, since a route keeps the handler it was registered under.
    app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      if (error.statusCode !== undefined && error.statusCode < 500) return reply.send(error);
      app.log.error({ err: describeForLog(error) }, 'unexpected error in an HTTP request');
      return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error.' });
    });
    await app.register(fastifyApollo(apollo), {
      path: '/graphql',
      context: async (request): Promise<GraphQLContext> => {
        let viewer;
        try {
          viewer = await resolveViewer(request.headers.authorization);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
        }
        const userAgent = request.headers['user-agent'] ?? null;
        const served = underStaffMfaPolicy(viewer, config.staffMfaRequired);
        return {
          ...served,
          actor: actorOf(served.viewer),
          services,
          loaders: createLoaders(services),
          request: { ip: request.ip, userAgent },
        };
      },
    });

    app.get('/healthz', async () => ({ status: 'ok' }));
    registerWellKnown(app, config, signingKeys);
    await registerTokenEndpoint(app, services, (error) => app.log.error({ err: describeForLog(error) }, 'unexpected error at /oauth/token'));
    await registerScimRoutes(app, services, resolveViewer);
    app.get('/readyz', async (_request, reply) => {
      if (!database.migrated()) return reply.code(503).send({ status: 'unavailable', reason: 'migrations not applied' });
      try {
        await database.ping();
        return { status: 'ready', driver: database.driver };
      } catch (error) {
        // The driver's message names hosts and users: it goes to the log, not to the caller.
        app.log.error({ err: describeForLog(error) }, 'readiness check: the database does not answer');
        return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
      }
    });

    const delivery = createDeliveryWorker({
      engine: services.delivery,
      pollMs: config.delivery.pollMs,
      onError: (error) => app.log.error({ err: describeForLog(error) }, 'delivery pass failed'),
    });
    if (config.delivery.worker) delivery.start();

    return {
      app,
      database,
      signingKeys,
      services,
      delivery,
      instanceId: principals.instanceId,
      async close() {
        await delivery.stop();
        await app.close();
        // Codes asked for before the close are recorded and mailed before the database goes.
        await services.recovery.settle();
        recoveryMailer?.close();
        await principals.close();
        if (ownsDatabase) await database.close();
      },
    };
  } catch (error) {
    // A start that fails must not leave the change feed's connection open.
    await principals.close();
    throw error;
  }
}
