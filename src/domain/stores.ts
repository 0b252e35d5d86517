import type { CatalogStore } from './catalog/catalog-store.js';
import type { ConsentStore } from './consents/consent-store.js';
import type { CredentialStore } from './credentials/credential-store.js';
import type { CustomerStore } from './customers/customer-store.js';
import type { EventStore } from './events/event-store.js';
import type { ServiceClientStore } from './principals/service-client.js';
import type { StaffStore } from './principals/staff.js';
import type { FactorStore } from './factors/factor-store.js';
import type { PasskeyStore, WebAuthnChallengeStore } from './passkeys/passkey-store.js';
import type { PersonalDataStore } from './privacy/personal-data-store.js';
import type { ScimUserStore } from './scim/scim-user-store.js';
import type { SessionStore } from './sessions/session-store.js';

/** Every store, bound either to the database (reads) or to one transaction. */
export interface Stores {
  customers: CustomerStore;
  credentials: CredentialStore;
  consents: ConsentStore;
  catalog: CatalogStore;
  events: EventStore;
  sessions: SessionStore;
  staff: StaffStore;
  clients: ServiceClientStore;
  factors: FactorStore;
  passkeys: PasskeyStore;
  webauthnChallenges: WebAuthnChallengeStore;
  scimUsers: ScimUserStore;
  personalData: PersonalDataStore;
}

/** Runs work in one transaction: all of it commits, or none of it does. */
export interface UnitOfWork {
  /** Stores outside any transaction, for reads. */
  readonly read: Stores;
  /**
   * `snapshot`: every read of the work sees the database as of its first statement (REPEATABLE READ),
   * so parts read one after another agree even while others write; otherwise each statement sees what was
   * committed before it began (READ COMMITTED).
   */
  transaction<T>(work: (tx: Stores) => Promise<T>, options?: { snapshot?: boolean }): Promise<T>;
}
