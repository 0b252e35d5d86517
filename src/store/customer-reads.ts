import { getTableColumns, sql } from 'drizzle-orm';
import type { Consent, ConsentSource, ConsentStatus } from '../domain/consents/consent.js';
import type { CustomerStatus } from '../domain/customers/customer.js';
import type { CustomerWithConsents } from '../domain/customers/customer-store.js';
import { consentPurposes, consents, customers, type CustomerRow } from './tables/index.js';

/** One consent as the JSON subquery below spells it (timestamps as ISO strings). */
interface ConsentJson {
  purposeKey: string;
  purposeVersion: number;
  status: string;
  source: string;
  grantedAt: string | null;
  withdrawnAt: string | null;
  updatedAt: string;
  title: string;
  description: string;
  version: number;
  purposeCreatedAt: string;
  purposeUpdatedAt: string;
}

/**
 * The customer's current consents with their purposes, as one JSON array column. Written with explicit
 * aliases: drizzle leaves column names unqualified in a one-table select, which a subquery would make
 * ambiguous.
 */
const consentsJson = sql<ConsentJson[] | string>`coalesce((
  select json_agg(json_build_object(
    'purposeKey', k.purpose_key, 'purposeVersion', k.purpose_version, 'status', k.status, 'source', k.source,
    'grantedAt', k.granted_at, 'withdrawnAt', k.withdrawn_at, 'updatedAt', k.updated_at,
    'title', p.title, 'description', p.description, 'version', p.version,
    'purposeCreatedAt', p.created_at, 'purposeUpdatedAt', p.updated_at
  ) order by k.purpose_key)
  from ${consents} k join ${consentPurposes} p on p.key = k.purpose_key
  where k.customer_id = "customers"."id"
), '[]'::json)`;

/** The columns of a customer read with its consents. */
export const customerWithConsentsColumns = { ...getTableColumns(customers), consents: consentsJson };

const toDate = (value: string) => new Date(value);

/** Maps a row of customerWithConsentsColumns; both drivers parse json, but a string is accepted too. */
export function toCustomerWithConsents(row: CustomerRow & { consents: ConsentJson[] | string }): CustomerWithConsents {
  const { consents: raw, ...customer } = row;
  const list: ConsentJson[] = typeof raw === 'string' ? JSON.parse(raw) : raw;
  return {
    customer: { ...customer, status: customer.status as CustomerStatus },
    consents: list.map(
      (c): Consent => ({
        customerId: customer.id,
        purpose: {
          key: c.purposeKey,
          title: c.title,
          description: c.description,
          version: c.version,
          createdAt: toDate(c.purposeCreatedAt),
          updatedAt: toDate(c.purposeUpdatedAt),
        },
        purposeVersion: c.purposeVersion,
        status: c.status as ConsentStatus,
        source: c.source as ConsentSource,
        grantedAt: c.grantedAt === null ? null : toDate(c.grantedAt),
        withdrawnAt: c.withdrawnAt === null ? null : toDate(c.withdrawnAt),
        updatedAt: toDate(c.updatedAt),
      }),
    ),
  };
}
