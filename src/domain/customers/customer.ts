import type { AttributeValue } from '../catalog/attribute.js';

export const customerStatuses = ['LIGHT', 'REGISTERED', 'DISABLED', 'DELETED'] as const;
export type CustomerStatus = (typeof customerStatuses)[number];

/** A customer as the domain sees it: the profile, never the credentials. */
export interface Customer {
  id: string;
  status: CustomerStatus;
  /** Null only once the customer is DELETED: erasure removes it, freeing the address for a new account. */
  email: string | null;
  emailVerified: boolean;
  givenName: string | null;
  familyName: string | null;
  phoneNumber: string | null;
  phoneNumberVerified: boolean;
  locale: string | null;
  /** Custom catalog attributes (built-in ones are the typed fields above). */
  attributes: Record<string, AttributeValue>;
  anonymousIds: string[];
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** A customer as first written: nothing known but the email, unverified, at version 1. */
export function newCustomer(fields: { id: string; email: string; status: CustomerStatus; at: Date }): Customer {
  return {
    id: fields.id,
    status: fields.status,
    email: fields.email,
    emailVerified: false,
    givenName: null,
    familyName: null,
    phoneNumber: null,
    phoneNumberVerified: false,
    locale: null,
    attributes: {},
    anonymousIds: [],
    createdAt: fields.at,
    updatedAt: fields.at,
    version: 1,
  };
}

/** The profile fields a write may change: built-in attribute columns and the custom attribute map. */
export interface ProfileChanges {
  /** Only an email change (email-change.ts) sets these two; profile merges never do. */
  email?: string;
  emailVerified?: boolean;
  givenName?: string | null;
  familyName?: string | null;
  phoneNumber?: string | null;
  phoneNumberVerified?: boolean;
  locale?: string | null;
  attributes?: Record<string, AttributeValue>;
  anonymousIds?: string[];
  status?: CustomerStatus;
}
