/**
 * The contract every outbound connector kind implements (one folder per kind under src/connectors/).
 * The delivery engine (src/domain/delivery, src/store) decides what to send and when; a connector only
 * validates its configuration, maps a profile to the target's shape and talks to the target over HTTP.
 */

/** A customer's profile as the engine hands it over: Kith field names (email, givenName, attributes.x, ...). */
export type ProfileFields = Readonly<Record<string, string | number | boolean | null>>;

/** What one delivery asks the target to do for one customer. */
export type DeliveryAction =
  /** Create or update the contact with these fields. */
  | 'upsert'
  /** The customer withdrew the connector's purpose: stop marketing to them (unsubscribe, opt out). */
  | 'unsubscribe'
  /** The account was deleted: delete the contact. */
  | 'delete';

/** One change for one customer, delivered at least once; the target deduplicates by `idempotencyKey`. */
export interface Delivery {
  /** Stable across retries of the same change: `<connector id>:<event id>`. */
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly action: DeliveryAction;
  /** The profile after the change, already passed through the connector's field mapping (target names). */
  readonly fields: ProfileFields;
  /**
   * The customer's email, which most targets key contacts by (also in `fields` when mapped). Null once the
   * account is erased and Kith no longer holds the address: a kind that finds contacts only by email cannot
   * act on it and says so in its outcome.
   */
  readonly email: string | null;
  readonly occurredAt: Date;
}

/** How one delivery went. */
export type DeliveryOutcome =
  | { readonly ok: true }
  /** `retryable`: a 5xx, a timeout, a 429 (with `retryAfterSeconds` from Retry-After when given). */
  | { readonly ok: false; readonly retryable: boolean; readonly retryAfterSeconds?: number; readonly error: string };

/** A connector ready to talk to its target, built from validated settings and secrets. */
export interface ConnectorClient {
  /**
   * Sends the deliveries (all of one customer are in order; a kind may batch several customers in one
   * request) and returns one outcome per delivery, in the same order. Never throws for a target's
   * answer; throws only for a bug.
   */
  deliver(deliveries: readonly Delivery[]): Promise<DeliveryOutcome[]>;
  /** Checks the credentials and reachability with a harmless request (the `testConnector` mutation). */
  test(): Promise<DeliveryOutcome>;
}

/** Codes of a connector's configuration errors, shown to administrators as BAD_USER_INPUT with a field. */
export class ConnectorConfigError extends Error {
  override name = 'ConnectorConfigError';
  constructor(
    message: string,
    /** The settings or secrets key at fault, such as `settings.baseUrl` or `secrets.token`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** What the engine needs from each kind. */
export interface ConnectorKind<Settings = unknown, Secrets = unknown> {
  /** HUBSPOT, SALESFORCE, MIXPANEL, WEBHOOK, SCIM. */
  readonly kind: string;
  /** Kith field -> target field for a connector created without a mapping (the target's own names). */
  readonly defaultFieldMapping?: Readonly<Record<string, string>>;
  /** How many deliveries one `deliver` call may take (1 for kinds with no batch endpoint). */
  readonly maxBatch: number;
  /** Checks and normalises the non-secret settings (base URL, object names, ...); throws ConnectorConfigError. */
  parseSettings(raw: unknown): Settings;
  /** Checks the secrets (tokens, signing keys); throws ConnectorConfigError. */
  parseSecrets(raw: unknown): Secrets;
  /** Builds the client. `fetch` and `now` are injected so tests and timeouts are controlled. */
  create(deps: { settings: Settings; secrets: Secrets; fetch: typeof fetch; now: () => Date; timeoutMs: number }): ConnectorClient;
}
