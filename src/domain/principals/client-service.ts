import type { Clock } from '../clock.js';
import { badInput, notFound, rateLimited } from '../errors.js';
import { type AttemptLimiter, clientKeyOf } from '../sessions/attempt-limiter.js';
import type { UnitOfWork } from '../stores.js';
import { type ClientSecrets, type ClientTokenIssuer, isScope, type Scope, scopes as knownScopes, type ServiceClient } from './service-client.js';

export interface NewServiceClient {
  name: string;
  scopes: readonly string[];
  purposeKey?: string | null;
}

export type ServiceClientService = ReturnType<typeof createServiceClientService>;

/** Invalid client credentials, as RFC 6749 section 5.2 names them. */
export class InvalidClientError extends Error {
  override name = 'InvalidClientError';
}

/** Scopes asked for that the client was not given, as RFC 6749 section 5.2 names them. */
export class InvalidScopeError extends Error {
  override name = 'InvalidScopeError';
}

function checkScopes(requested: readonly string[], field: string): Scope[] {
  const unique = [...new Set(requested)];
  const unknown = unique.filter((s) => !isScope(s));
  if (unknown.length > 0) throw badInput(`Unknown scopes: ${unknown.join(', ')}. Known: ${knownScopes.join(', ')}.`, field);
  if (unique.length === 0) throw badInput('A client needs at least one scope.', field);
  return unique as Scope[];
}

/**
 * Service clients of the OAuth 2.0 client-credentials grant: created by administrators with explicit scopes
 * and a consent purpose; the secret is shown once and kept as a hash. Disabling a client or rotating its
 * secret ends its tokens at once (each request checks the client).
 */
export function createServiceClientService(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  secrets: ClientSecrets;
  tokens: ClientTokenIssuer;
  /** Token requests per client IP, counted before the secret is checked. */
  perIp: AttemptLimiter;
}) {
  const { uow, clock } = deps;

  async function checkPurpose(purposeKey: string | null | undefined): Promise<string | null> {
    if (purposeKey == null) return null;
    const purposes = await uow.read.catalog.listPurposes();
    if (!purposes.some((p) => p.key === purposeKey)) throw badInput(`Unknown consent purpose ${purposeKey}.`, 'purpose');
    return purposeKey;
  }

  async function existing(id: string): Promise<ServiceClient> {
    const client = await uow.read.clients.findById(id);
    if (!client) throw notFound(`No service client has id ${id}.`);
    return client;
  }

  return {
    /** Creates a client; the secret is returned only here. */
    async create(input: NewServiceClient): Promise<{ client: ServiceClient; secret: string }> {
      const name = input.name.trim();
      if (name.length === 0 || name.length > 200) throw badInput('name must have 1 to 200 characters.', 'name');
      const scopes = checkScopes(input.scopes, 'scopes');
      const purposeKey = await checkPurpose(input.purposeKey);
      const { clientId, secret } = deps.secrets.generate();
      const at = clock.now();
      const client: ServiceClient = { id: deps.newId(), clientId, name, scopes, purposeKey, tokenVersion: 0, disabledAt: null, createdAt: at, updatedAt: at };
      await uow.read.clients.insert(client, deps.secrets.hash(secret));
      return { client, secret };
    },

    /** A new secret; the old one and every token issued before stop working at once. */
    async rotateSecret(id: string): Promise<{ client: ServiceClient; secret: string }> {
      await existing(id);
      const secret = deps.secrets.generateSecret();
      const at = clock.now();
      const client = await uow.read.clients.update(id, { secretHash: deps.secrets.hash(secret), bumpTokenVersion: true }, at);
      return { client: client!, secret };
    },

    async update(id: string, input: { name?: string | null; scopes?: readonly string[] | null; purposeKey?: string | null; clearPurpose?: boolean }) {
      await existing(id);
      const at = clock.now();
      const changes: Parameters<UnitOfWork['read']['clients']['update']>[1] = {};
      if (input.name != null) {
        const name = input.name.trim();
        if (name.length === 0 || name.length > 200) throw badInput('name must have 1 to 200 characters.', 'name');
        changes.name = name;
      }
      if (input.scopes != null) changes.scopes = checkScopes(input.scopes, 'scopes');
      if (input.purposeKey != null) changes.purposeKey = await checkPurpose(input.purposeKey);
      if (input.clearPurpose) changes.purposeKey = null;
      // Narrower scopes or another purpose must not ride on tokens issued under the old ones.
      if (changes.scopes || 'purposeKey' in changes) changes.bumpTokenVersion = true;
      return (await uow.read.clients.update(id, changes, at))!;
    },

    async setEnabled(id: string, enabled: boolean): Promise<ServiceClient> {
      await existing(id);
      const at = clock.now();
      return (await uow.read.clients.update(id, enabled ? { disabledAt: null } : { disabledAt: at, bumpTokenVersion: true }, at))!;
    },

    list: () => uow.read.clients.list(),
    findById: (id: string) => uow.read.clients.findById(id),
    findByClientId: (clientId: string) => uow.read.clients.findByClientId(clientId),

    /**
     * The client-credentials grant: checks the client and its secret, narrows to the requested scopes
     * (all of the client's when none are asked for) and issues an access token.
     */
    async issueToken(clientId: string, secret: string, requested: readonly string[] | null, ip: string | null) {
      const wait = ip ? await deps.perIp.consume(clientKeyOf(ip)) : null;
      if (wait) throw rateLimited(`Too many token requests: try again in ${wait} seconds.`, wait);
      const found = clientId.length <= 200 && secret.length <= 200 ? await uow.read.clients.findForAuthentication(clientId) : null;
      // Compared even for an unknown client, so the answer takes the same time.
      const matches = deps.secrets.matches(secret, found?.secretHash ?? deps.secrets.hash(''));
      if (!found || !matches || found.client.disabledAt) throw new InvalidClientError('Client authentication failed.');
      const granted = requested === null ? found.client.scopes : requested.filter((s): s is Scope => isScope(s) && found.client.scopes.includes(s));
      if (requested !== null && (granted.length !== requested.length || granted.length === 0)) {
        throw new InvalidScopeError(`This client may ask only for: ${found.client.scopes.join(' ')}.`);
      }
      const { token, expiresIn } = await deps.tokens.issue({ clientId: found.client.clientId, scopes: granted, tokenVersion: found.client.tokenVersion });
      return { accessToken: token, expiresIn, scopes: granted };
    },
  };
}
