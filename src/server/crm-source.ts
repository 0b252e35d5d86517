import { withCircuitBreaker } from '../connectors/circuit-breaker.js';
import { createHubSpotCrmReader } from '../connectors/hubspot/crm-reader.js';
import { hubspotKind } from '../connectors/hubspot/index.js';
import { createSalesforceCrmReader } from '../connectors/salesforce/crm-reader.js';
import { salesforceKind } from '../connectors/salesforce/index.js';
import type { Clock } from '../domain/clock.js';
import type { CrmReader } from '../domain/crm/crm.js';
import type { Connector, ConnectorStore } from '../domain/delivery/connector.js';
import { openSecrets } from '../domain/delivery/delivery-engine.js';
import type { SecretSealer } from '../domain/factors/secret-sealer.js';

/** The connector list is read again at most this often when the graph asks for CRM data. */
const RECHECK_MS = 5_000;
/** How long an open circuit leaves a failing CRM alone before one trial call. */
const BREAKER_RESET_MS = 30_000;

/**
 * The CRM behind Customer.crm: the oldest enabled HUBSPOT or SALESFORCE connector, read with the same
 * settings and secrets it delivers with. Its reader, and so its circuit breaker, lives as long as the
 * connector is unchanged; the list of connectors is checked at most every few seconds.
 */
export function createCrmSource(deps: { store: ConnectorStore; sealer: SecretSealer; clock: Clock; timeoutMs: number }) {
  let current: { checkedAt: number; version: string | null; reader: CrmReader | null } | null = null;

  async function build(connector: Connector): Promise<CrmReader> {
    const secrets = await openSecrets(deps.sealer, connector.id, await deps.store.sealedSecrets(connector.id));
    const http = { fetch, now: () => deps.clock.now(), timeoutMs: deps.timeoutMs, purposeKey: connector.purposeKey };
    const reader =
      connector.kind === 'HUBSPOT'
        ? createHubSpotCrmReader({ ...http, settings: hubspotKind.parseSettings(connector.settings), secrets: hubspotKind.parseSecrets(secrets) })
        : createSalesforceCrmReader({ ...http, settings: salesforceKind.parseSettings(connector.settings), secrets: salesforceKind.parseSecrets(secrets) });
    return withCircuitBreaker(reader, { timeoutMs: deps.timeoutMs + 250, resetMs: BREAKER_RESET_MS });
  }

  /** A connector that cannot be built (secrets that no longer open, settings a kind now refuses) fails every read. */
  async function buildOrFail(connector: Connector): Promise<CrmReader> {
    try {
      return await build(connector);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { purposeKey: connector.purposeKey, maxBatch: 100, readByEmail: () => Promise.reject(new Error(`the CRM connector is unusable: ${reason}`)) };
    }
  }

  return async function crmReader(): Promise<CrmReader | null> {
    const now = deps.clock.now().getTime();
    if (current && now - current.checkedAt < RECHECK_MS) return current.reader;
    const connector =
      (await deps.store.list())
        .filter((c) => c.enabled && (c.kind === 'HUBSPOT' || c.kind === 'SALESFORCE'))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0] ?? null;
    // What the reader is built from; updatedAt covers the sealed secrets.
    const version = connector
      ? JSON.stringify([connector.id, connector.updatedAt.getTime(), connector.kind, connector.purposeKey, connector.settings])
      : null;
    if (current?.version !== version) current = { checkedAt: now, version, reader: connector ? await buildOrFail(connector) : null };
    else current.checkedAt = now;
    return current.reader;
  };
}
