import type { ChangeEvent, EventPosition } from '../events/change-event.js';

/** What one delivery asks the target to do (the same three as src/connectors/connector.ts). */
export type DeliveryAction = 'upsert' | 'unsubscribe' | 'delete';
export type DeliveryStatus = 'pending' | 'delivered' | 'skipped' | 'dead';

/** Kith field -> target field, one entry per mapped field. */
export type FieldMapping = Readonly<Record<string, string>>;

/** A configured outbound connector, without its secrets. */
export interface Connector {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  purposeKey: string | null;
  fieldMapping: FieldMapping;
  settings: Record<string, unknown>;
  /** Whether secrets are stored (they are never read back through the graph). */
  secretsSet: boolean;
  maxAttempts: number;
  createdAt: Date;
  updatedAt: Date;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

export interface ConnectorHealth {
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** Pending deliveries (due or waiting for a retry). */
  backlog: number;
  /** Deliveries given up on after max attempts. */
  deadLetters: number;
}

/** A delivery row as planned by fan-out. */
export interface PlannedDelivery {
  eventId: number;
  customerId: string;
  action: DeliveryAction;
  idempotencyKey: string;
}

/** A delivery claimed by one process until `lockedUntil`. */
export interface ClaimedDelivery extends PlannedDelivery {
  id: number;
  attempts: number;
  occurredAt: Date;
}

/** What fan-out needs to know of a customer to decide for a connector bound to a purpose. */
export interface ConsentFacts {
  /** The current consent to the purpose is GRANTED. */
  granted: boolean;
  /** The customer granted the purpose at some time (the history has a GRANTED record). */
  everGranted: boolean;
}

/** Persistence of connectors. */
export interface ConnectorStore {
  list(): Promise<Connector[]>;
  findById(id: string): Promise<Connector | null>;
  /** Inserts the connector and its cursor at the head of the change log (it sends changes from now on). */
  insert(connector: Connector, sealedSecrets: string | null): Promise<Connector>;
  /** Rewrites the configuration; `sealedSecrets` undefined keeps the stored ones. Null when absent. */
  update(connector: Connector, sealedSecrets: string | undefined): Promise<Connector | null>;
  setEnabled(id: string, enabled: boolean, at: Date): Promise<Connector | null>;
  /** The sealed secrets, for building a client; null when none are set. */
  sealedSecrets(id: string): Promise<string | null>;
  /** Backlog and dead letters of each connector named (absent ids count zero). */
  counts(ids: readonly string[]): Promise<Map<string, { backlog: number; deadLetters: number }>>;
  /** Dead deliveries -> pending, attempts reset, due now; returns how many. */
  replayDead(id: string, at: Date): Promise<number>;
}

/** One fan-out step's view of the database, inside its transaction. */
export interface FanOutTx {
  /** Locks the connector's cursor (SKIP LOCKED): null when another process holds it or it has none. */
  lockCursor(connectorId: string): Promise<EventPosition | null>;
  /** Events after the position, below the change log's horizon (see EventStore.readAfter). */
  eventsAfter(position: EventPosition, limit: number): Promise<ChangeEvent[]>;
  consentFacts(customerIds: readonly string[], purposeKey: string): Promise<Map<string, ConsentFacts>>;
  /** Inserts deliveries, ignoring idempotency keys already present. */
  insertDeliveries(connectorId: string, planned: readonly PlannedDelivery[], at: Date): Promise<void>;
  advanceCursor(connectorId: string, position: EventPosition): Promise<void>;
}

/** Persistence of the delivery queue. */
export interface DeliveryStore {
  fanOut<T>(work: (tx: FanOutTx) => Promise<T>): Promise<T>;
  /**
   * In one short transaction (FOR UPDATE SKIP LOCKED): up to `limit` due pending deliveries of the connector
   * that are the oldest pending one of their customer and not leased; leases them to `claimToken` until
   * `lockedUntil`.
   */
  claim(connectorId: string, limit: number, now: Date, lockedUntil: Date, claimToken: string): Promise<ClaimedDelivery[]>;
  /** Records outcomes, each only while `claimToken` still holds the delivery. */
  record(claimToken: string, outcomes: readonly RecordedOutcome[], at: Date): Promise<void>;
  /**
   * The emails of erased customers, kept apart for the deletes of connectors that find contacts by email;
   * customers without one are absent, and so are those whose address a live customer holds again (a delete
   * by it would reach the new owner's contact: it goes without an email, and a kind that needs one says so).
   */
  erasedEmails(customerIds: readonly string[]): Promise<Map<string, string>>;
  /** Drops the erased emails no connector still needs: every one has sent the deletion (or never will). */
  forgetErasures(): Promise<void>;
  /** Sets the connector's last success (when any delivery succeeded) and last error (when one failed). */
  noteHealth(connectorId: string, at: Date, health: { succeeded: boolean; error: string | null }): Promise<void>;
}

export type RecordedOutcome =
  | { id: number; status: 'delivered' }
  /** Not sent: the customer no longer grants the connector's purpose. */
  | { id: number; status: 'skipped' }
  | { id: number; status: 'pending'; nextAttemptAt: Date; error: string }
  | { id: number; status: 'dead'; error: string };
