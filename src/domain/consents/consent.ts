export const consentStatuses = ['GRANTED', 'WITHDRAWN'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

export const consentSources = ['FORM', 'APP', 'API', 'IMPORT', 'SUPPORT'] as const;
export type ConsentSource = (typeof consentSources)[number];

export interface ConsentPurpose {
  key: string;
  title: string;
  description: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A customer's current decision on one purpose, with the purpose as the catalog has it now. */
export interface Consent {
  customerId: string;
  purpose: ConsentPurpose;
  purposeVersion: number;
  status: ConsentStatus;
  source: ConsentSource;
  grantedAt: Date | null;
  withdrawnAt: Date | null;
  updatedAt: Date;
}

/** One entry of the append-only history. */
export interface ConsentRecord {
  customerId: string;
  purposeKey: string;
  purposeVersion: number;
  status: ConsentStatus;
  source: ConsentSource;
  actor: string;
  recordedAt: Date;
}
