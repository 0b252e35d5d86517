import type { DeliveryAction } from './connector.js';
import type { TargetOutcome } from './delivery-rules.js';

/** One change as a connector kind receives it (src/connectors/connector.ts's Delivery). */
export interface OutboundDelivery {
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly action: DeliveryAction;
  readonly fields: Readonly<Record<string, string | number | boolean | null>>;
  /** Null once the customer's account is erased and Kith no longer holds the address. */
  readonly email: string | null;
  readonly occurredAt: Date;
}

/** A kind's client for one connector. */
export interface TargetClient {
  /** One outcome per delivery, in order; never throws for a target's answer. */
  deliver(deliveries: readonly OutboundDelivery[]): Promise<TargetOutcome[]>;
  test(): Promise<TargetOutcome>;
}

/**
 * The connector kinds the engine can use (the registry of src/connectors, adapted by the composition root).
 * `check` throws BAD_USER_INPUT with the settings or secrets key at fault.
 */
export interface ConnectorTargets {
  has(kind: string): boolean;
  kinds(): string[];
  maxBatch(kind: string): number;
  /** The kind's own default field mapping, when it has one. */
  defaultFieldMapping(kind: string): Readonly<Record<string, string>> | undefined;
  checkSettings(kind: string, settings: unknown): void;
  checkSecrets(kind: string, secrets: unknown): void;
  /** A client whose requests end when `signal` aborts (the process is stopping). */
  client(kind: string, settings: unknown, secrets: unknown, signal?: AbortSignal): TargetClient;
}
