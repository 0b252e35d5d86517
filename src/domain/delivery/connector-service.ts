import type { Clock } from '../clock.js';
import type { ConsentPurpose } from '../consents/consent.js';
import { badInput, conflict, notFound } from '../errors.js';
import type { SecretSealer } from '../factors/secret-sealer.js';
import type { Connector, ConnectorHealth, ConnectorStore } from './connector.js';
import { openSecrets } from './delivery-engine.js';
import { checkFieldMapping, DEFAULT_FIELD_MAPPING, type TargetOutcome } from './delivery-rules.js';
import type { ConnectorTargets } from './targets.js';

export interface ConnectorInput {
  name?: string | null;
  purposeKey?: string | null;
  clearPurpose?: boolean;
  fieldMapping?: readonly { from: string; to: string }[] | null;
  settings?: Record<string, unknown> | null;
  /** Write-only: a new value replaces the stored secrets. */
  secrets?: Record<string, unknown> | null;
  maxAttempts?: number | null;
}

export type ConnectorService = ReturnType<typeof createConnectorService>;

const MAX_ATTEMPTS_RANGE = { min: 1, max: 100 } as const;

/** Administrators' management of outbound connectors; the engine (delivery-engine.ts) does the sending. */
export function createConnectorService(deps: {
  store: ConnectorStore;
  targets: ConnectorTargets;
  sealer: SecretSealer;
  clock: Clock;
  newId: () => string;
  listPurposes: () => Promise<ConsentPurpose[]>;
  defaultMaxAttempts: number;
}) {
  const { store } = deps;

  async function require(id: string): Promise<Connector> {
    const connector = await store.findById(id);
    if (!connector) throw notFound(`No connector has the id ${id}.`);
    return connector;
  }

  function checkName(name: string): string {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 100) throw badInput('name must be 1 to 100 characters.', 'name');
    return trimmed;
  }

  async function checkPurpose(key: string): Promise<string> {
    if (!(await deps.listPurposes()).some((p) => p.key === key)) throw badInput(`No consent purpose has the key "${key}".`, 'purpose');
    return key;
  }

  function checkMaxAttempts(value: number): number {
    if (!Number.isInteger(value) || value < MAX_ATTEMPTS_RANGE.min || value > MAX_ATTEMPTS_RANGE.max) {
      throw badInput(`maxAttempts must be from ${MAX_ATTEMPTS_RANGE.min} to ${MAX_ATTEMPTS_RANGE.max}.`, 'maxAttempts');
    }
    return value;
  }

  const seal = (id: string, secrets: Record<string, unknown>) => deps.sealer.seal(new TextEncoder().encode(JSON.stringify(secrets)), id);

  async function nameTaken<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause ?? (error as { code?: string });
      if (cause?.code === '23505') throw conflict('Another connector has this name.', 'name');
      throw error;
    }
  }

  return {
    list: () => store.list(),
    findById: (id: string) => store.findById(id),

    async create(input: ConnectorInput & { kind: string; name: string; settings: Record<string, unknown>; enabled?: boolean | null }): Promise<Connector> {
      if (!deps.targets.has(input.kind)) throw badInput(`kind must be one of ${deps.targets.kinds().join(', ')}.`, 'kind');
      const secrets = input.secrets ?? {};
      deps.targets.checkSettings(input.kind, input.settings);
      deps.targets.checkSecrets(input.kind, secrets);
      const at = deps.clock.now();
      const connector: Connector = {
        id: deps.newId(),
        kind: input.kind,
        name: checkName(input.name),
        enabled: input.enabled ?? true,
        purposeKey: input.purposeKey ? await checkPurpose(input.purposeKey) : null,
        fieldMapping: input.fieldMapping ? checkFieldMapping(input.fieldMapping) : (deps.targets.defaultFieldMapping(input.kind) ?? DEFAULT_FIELD_MAPPING),
        settings: input.settings,
        secretsSet: input.secrets != null,
        maxAttempts: checkMaxAttempts(input.maxAttempts ?? deps.defaultMaxAttempts),
        createdAt: at,
        updatedAt: at,
        lastSuccessAt: null,
        lastError: null,
        lastErrorAt: null,
      };
      return nameTaken(async () => store.insert(connector, input.secrets != null ? await seal(connector.id, secrets) : null));
    },

    async update(id: string, input: ConnectorInput): Promise<Connector> {
      const current = await require(id);
      if (input.settings) deps.targets.checkSettings(current.kind, input.settings);
      if (input.secrets) deps.targets.checkSecrets(current.kind, input.secrets);
      const next: Connector = {
        ...current,
        name: input.name != null ? checkName(input.name) : current.name,
        purposeKey: input.clearPurpose ? null : input.purposeKey ? await checkPurpose(input.purposeKey) : current.purposeKey,
        fieldMapping: input.fieldMapping ? checkFieldMapping(input.fieldMapping) : current.fieldMapping,
        settings: input.settings ?? current.settings,
        secretsSet: current.secretsSet || input.secrets != null,
        maxAttempts: input.maxAttempts != null ? checkMaxAttempts(input.maxAttempts) : current.maxAttempts,
        updatedAt: deps.clock.now(),
      };
      const sealed = input.secrets ? await seal(id, input.secrets) : undefined;
      const updated = await nameTaken(() => store.update(next, sealed));
      if (!updated) throw notFound(`No connector has the id ${id}.`);
      return updated;
    },

    async setEnabled(id: string, enabled: boolean): Promise<Connector> {
      const updated = await store.setEnabled(id, enabled, deps.clock.now());
      if (!updated) throw notFound(`No connector has the id ${id}.`);
      return updated;
    },

    /** Asks the target a harmless question with the stored configuration. */
    async test(id: string): Promise<TargetOutcome> {
      const connector = await require(id);
      const secrets = await openSecrets(deps.sealer, id, await store.sealedSecrets(id));
      return deps.targets.client(connector.kind, connector.settings, secrets).test();
    },

    async replayDeadLetters(id: string): Promise<number> {
      await require(id);
      return store.replayDead(id, deps.clock.now());
    },

    async health(connector: Connector): Promise<ConnectorHealth> {
      const counts = (await store.counts([connector.id])).get(connector.id) ?? { backlog: 0, deadLetters: 0 };
      return { lastSuccessAt: connector.lastSuccessAt, lastError: connector.lastError, lastErrorAt: connector.lastErrorAt, ...counts };
    },
  };
}
