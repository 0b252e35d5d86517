import type { CatalogService } from './catalog/catalog-service.js';
import type { ConsentService } from './consents/consent-service.js';
import type { CustomerSearch } from './customers/customer-search.js';
import type { CustomerService } from './customers/customer-service.js';
import type { ChangeLog } from './events/change-log.js';
import type { PasswordService } from './credentials/password-service.js';
import type { PasskeyService } from './passkeys/passkey-service.js';
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
  stepUp: StepUpGuard;
  passwords: PasswordService;
  passkeys: PasskeyService;
}
