import type { Clock } from '../clock.js';
import type { CustomerWithConsents } from '../customers/customer-store.js';
import type { SecretSealer } from '../factors/secret-sealer.js';
import type { ClaimedDelivery, Connector, ConnectorStore, DeliveryStore, PlannedDelivery, RecordedOutcome } from './connector.js';
import { actionFor, type BackoffPolicy, mapFields, settle, type TargetOutcome } from './delivery-rules.js';
import type { ConnectorTargets, OutboundDelivery } from './targets.js';

export interface DeliveryEngineDeps {
  connectors: ConnectorStore;
  deliveries: DeliveryStore;
  /** The customers with these ids and their current consents (unknown ids absent). */
  findCustomers(ids: readonly string[]): Promise<CustomerWithConsents[]>;
  targets: ConnectorTargets;
  sealer: SecretSealer;
  clock: Clock;
  random: () => number;
  newClaimToken: () => string;
  policy: BackoffPolicy;
  /** How long a claim is owned: a process that dies holding claims gives them back after this. */
  leaseMs: number;
  /** Events read per fan-out transaction. */
  fanOutPage?: number;
  /** Claim rounds per connector per run, so one busy connector does not starve the others. */
  roundsPerRun?: number;
}

export type DeliveryEngine = ReturnType<typeof createDeliveryEngine>;

/** Opens a connector's sealed secrets (JSON sealed under the connector id). */
export async function openSecrets(sealer: SecretSealer, connectorId: string, sealed: string | null): Promise<unknown> {
  if (sealed === null) return {};
  return JSON.parse(new TextDecoder().decode(await sealer.open(sealed, connectorId)));
}

/**
 * The durable delivery engine. The change log is the outbox: fan-out turns each connector's new events into
 * deliveries (one transaction, cursor row locked), and claiming leases the head of each customer's queue to
 * one process at a time (SKIP LOCKED), so every process may run it at once without double delivery.
 */
export function createDeliveryEngine(deps: DeliveryEngineDeps) {
  const page = deps.fanOutPage ?? 500;
  const rounds = deps.roundsPerRun ?? 20;

  /** One fan-out transaction: returns how many events it consumed (0 when caught up or locked elsewhere). */
  async function fanOutPage(connector: Connector): Promise<number> {
    return deps.deliveries.fanOut(async (tx) => {
      const position = await tx.lockCursor(connector.id);
      if (!position) return 0;
      const events = await tx.eventsAfter(position, page);
      const last = events.at(-1);
      if (!last) return 0;
      const customerIds = [...new Set(events.flatMap((e) => (e.customerId ? [e.customerId] : [])))];
      const facts = connector.purposeKey === null ? new Map() : await tx.consentFacts(customerIds, connector.purposeKey);
      const planned: PlannedDelivery[] = [];
      for (const event of events) {
        const action = actionFor(event, connector, event.customerId ? facts.get(event.customerId) : undefined);
        if (action && event.customerId) {
          planned.push({ eventId: event.id, customerId: event.customerId, action, idempotencyKey: `${connector.id}:${event.id}` });
        }
      }
      await tx.insertDeliveries(connector.id, planned, deps.clock.now());
      await tx.advanceCursor(connector.id, { txId: last.txId, id: last.id });
      return events.length;
    });
  }

  async function fanOut(connector: Connector): Promise<void> {
    while ((await fanOutPage(connector)) === page);
  }

  async function build(claimed: readonly ClaimedDelivery[], connector: Connector) {
    const found = await deps.findCustomers([...new Set(claimed.map((d) => d.customerId))]);
    const customers = new Map(found.map((c) => [c.customer.id, c]));
    // A delete goes out after the erasure: the email some targets find the contact by was kept apart for it.
    const erased = claimed.filter((d) => d.action === 'delete' && customers.get(d.customerId)?.customer.email === null).map((d) => d.customerId);
    const erasedEmails = await deps.deliveries.erasedEmails(erased);
    const ready: { claim: ClaimedDelivery; delivery: OutboundDelivery }[] = [];
    const missing: ClaimedDelivery[] = [];
    const skipped: ClaimedDelivery[] = [];
    for (const claim of claimed) {
      const { customer, consents } = customers.get(claim.customerId) ?? {};
      if (!customer || !consents) {
        missing.push(claim);
        continue;
      }
      // Consent is checked again when a change is sent: an upsert that waited (retries, a paused connector)
      // while the customer withdrew must not carry their profile out. The unsubscribe that follows still goes.
      // Of an erased customer only the delete goes: there is nothing left to upsert, and nobody to unsubscribe.
      const granted = connector.purposeKey === null || consents.some((c) => c.purpose.key === connector.purposeKey && c.status === 'GRANTED');
      const erased = customer.status === 'DELETED';
      if ((claim.action === 'upsert' && !granted) || (erased && claim.action !== 'delete')) {
        skipped.push(claim);
        continue;
      }
      const fields = claim.action === 'upsert' ? mapFields(customer, connector.fieldMapping) : {};
      ready.push({
        claim,
        delivery: {
          idempotencyKey: claim.idempotencyKey,
          customerId: claim.customerId,
          action: claim.action,
          fields,
          email: customer.email ?? erasedEmails.get(customer.id) ?? null,
          occurredAt: claim.occurredAt,
        },
      });
    }
    return { ready, missing, skipped };
  }

  async function send(client: ReturnType<ConnectorTargets['client']>, deliveries: OutboundDelivery[]): Promise<TargetOutcome[]> {
    if (deliveries.length === 0) return [];
    try {
      const outcomes = await client.deliver(deliveries);
      if (outcomes.length !== deliveries.length) throw new Error(`the connector answered ${outcomes.length} outcomes for ${deliveries.length} deliveries`);
      return outcomes;
    } catch (error) {
      // A connector bug must not wedge the queue: count it as a failed try, so it dead-letters in the end.
      const message = error instanceof Error ? error.message : String(error);
      return deliveries.map(() => ({ ok: false, retryable: true, error: `connector failure: ${message}` }));
    }
  }

  /** Claims, delivers and records the connector's due deliveries; returns how many were tried. */
  async function deliverDue(connector: Connector, signal?: AbortSignal): Promise<number> {
    const secrets = await openSecrets(deps.sealer, connector.id, await deps.connectors.sealedSecrets(connector.id));
    const client = deps.targets.client(connector.kind, connector.settings, secrets, signal);
    const limit = deps.targets.maxBatch(connector.kind);
    let tried = 0;
    for (let round = 0; round < rounds && !signal?.aborted; round += 1) {
      const now = deps.clock.now();
      const token = deps.newClaimToken();
      const claimed = await deps.deliveries.claim(connector.id, limit, now, new Date(now.getTime() + deps.leaseMs), token);
      if (claimed.length === 0) break;
      const { ready, missing, skipped } = await build(claimed, connector);
      const outcomes = await send(client, ready.map((r) => r.delivery));
      // A stopping process abandons what it sent: its lease runs out and another process delivers again.
      if (signal?.aborted) break;
      const at = deps.clock.now();
      const context = { maxAttempts: connector.maxAttempts, now: at, policy: deps.policy, random: deps.random };
      const recorded: RecordedOutcome[] = [
        ...ready.map((r, i) => settle(r.claim, outcomes[i]!, context)),
        ...missing.map((m) => settle(m, { ok: false, retryable: false, error: 'the customer no longer exists' }, context)),
        ...skipped.map((s): RecordedOutcome => ({ id: s.id, status: 'skipped' })),
      ];
      await deps.deliveries.record(token, recorded, at);
      const failed = outcomes.filter((o): o is Extract<TargetOutcome, { ok: false }> => !o.ok);
      await deps.deliveries.noteHealth(connector.id, at, { succeeded: outcomes.some((o) => o.ok), error: failed.at(-1)?.error ?? null });
      tried += claimed.length;
    }
    return tried;
  }

  return {
    fanOut,
    deliverDue,
    /** One pass over every enabled connector: fan out, then deliver what is due. */
    async runOnce(signal?: AbortSignal): Promise<number> {
      let tried = 0;
      for (const connector of await deps.connectors.list()) {
        if (!connector.enabled || !deps.targets.has(connector.kind) || signal?.aborted) continue;
        try {
          await fanOut(connector);
          tried += await deliverDue(connector, signal);
        } catch (error) {
          // One broken connector (secrets that no longer open, settings its kind now refuses) must not hold up
          // the others: its health shows why, and the next pass tries it again.
          const message = error instanceof Error ? error.message : String(error);
          await deps.deliveries.noteHealth(connector.id, deps.clock.now(), { succeeded: false, error: `connector failure: ${message}` });
        }
      }
      // Once every connector has sent an erased customer's deletion, the email kept for it goes too.
      if (!signal?.aborted) await deps.deliveries.forgetErasures();
      return tried;
    },
  };
}
