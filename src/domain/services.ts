import type { CatalogService } from './catalog/catalog-service.js';
import type { ConsentService } from './consents/consent-service.js';
import type { CustomerSearch } from './customers/customer-search.js';
import type { CrmService } from './crm/crm-service.js';
import type { CustomerService } from './customers/customer-service.js';
import type { EmailChange } from './customers/email-change.js';
import type { RecoveryCodeService } from './factors/recovery-code-service.js';
import type { SecondFactors } from './factors/second-factors.js';
import type { TotpService } from './factors/totp-service.js';
import type { ChangeLog } from './events/change-log.js';
import type { PasswordService } from './credentials/password-service.js';
import type { RecoveryService } from './credentials/recovery-service.js';
import type { ServiceClientService } from './principals/client-service.js';
import type { StaffService } from './principals/staff-service.js';
import type { ConnectorService } from './delivery/connector-service.js';
import type { DeliveryEngine } from './delivery/delivery-engine.js';
import type { PasskeyService } from './passkeys/passkey-service.js';
import type { AccountErasure } from './privacy/account-erasure.js';
import type { DataExport } from './privacy/data-export.js';
import type { ProvisioningService } from './scim/provisioning-service.js';
import type { SessionService } from './sessions/session-service.js';
import type { StepUpGuard } from './sessions/step-up.js';

/** Every domain service, as the composition root builds them and the GraphQL context carries them. */
export interface Services {
  customers: CustomerService;
  customerSearch: CustomerSearch;
  consents: ConsentService;
  catalog: CatalogService;
  changeLog: ChangeLog;
  sessions: SessionService;
  crm: CrmService;
  stepUp: StepUpGuard;
  passwords: PasswordService;
  recovery: RecoveryService;
  staff: StaffService;
  clients: ServiceClientService;
  emailChange: EmailChange;
  secondFactors: SecondFactors;
  totp: TotpService;
  recoveryCodes: RecoveryCodeService;
  passkeys: PasskeyService;
  connectors: ConnectorService;
  /** The outbound delivery engine the worker loop (src/server/delivery-worker.ts) drives. */
  delivery: DeliveryEngine;
  provisioning: ProvisioningService;
  erasure: AccountErasure;
  dataExport: DataExport;
}
