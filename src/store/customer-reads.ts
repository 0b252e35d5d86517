import { getTableColumns, sql } from 'drizzle-orm';
import type { Consent, ConsentSource, ConsentStatus } from '../domain/consents/consent.js';
import type { CustomerStatus } from '../domain/customers/customer.js';
import type { CustomerWithConsents } from '../domain/customers/customer-store.js';
import { consentPurposes, consents, customers, type CustomerRow } from './tables/index.js';

/** One consent as the JSON subquery below spells it (timestamps as milliseconds since the epoch). */
interface ConsentJson {
  purposeKey: string;
  purposeVersion: number;
  status: string;
  source: string;
  grantedAt: number | null;
  withdrawnAt: number | null;
  updatedAt: number;
  title: string;
  description: string;
  version: number;
  purposeCreatedAt: number;
  purposeUpdatedAt: number;
}

/**
 * The customer's current consents with their purposes, as one JSON array column. Written with explicit
 * aliases: drizzle leaves column names unqualified in a one-table select, which a subquery would make
 * ambiguous. Timestamps travel as epoch milliseconds (the columns keep milliseconds): a number becomes a
 * Date far faster than a string with an offset, and a page holds hundreds of them.
 */
const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::bigint`;
const consentsJson = sql<ConsentJson[] | string>`coalesce((
  select json_agg(json_build_object(
    'purposeKey', k.purpose_key, 'purposeVersion', k.purpose_version, 'status', k.status, 'source', k.source,
    'grantedAt', ${sql.raw(epochMs('k.granted_at'))}, 'withdrawnAt', ${sql.raw(epochMs('k.withdrawn_at'))},
    'updatedAt', ${sql.raw(epochMs('k.updated_at'))},
    'title', p.title, 'description', p.description, 'version', p.version,
    'purposeCreatedAt', ${sql.raw(epochMs('p.created_at'))}, 'purposeUpdatedAt', ${sql.raw(epochMs('p.updated_at'))}
  ) order by k.purpose_key)
  from ${consents} k join ${consentPurposes} p on p.key = k.purpose_key
  where k.customer_id = "customers"."id"
), '[]'::json)`;

/** The columns of a customer read with its consents. */
export const customerWithConsentsColumns = { ...getTableColumns(customers), consents: consentsJson };

/**
 * The purposes met while mapping one result: every consent to a purpose shares one object, so a page of
 * customers holds each purpose once rather than once per consent.
 */
export type PurposesSeen = Map<string, Consent['purpose']>;

function purposeOf(c: ConsentJson, seen: PurposesSeen): Consent['purpose'] {
  const key = `${c.purposeKey}\u0000${c.version}\u0000${c.purposeUpdatedAt}`;
  let purpose = seen.get(key);
  if (!purpose) {
    purpose = { key: c.purposeKey, title: c.title, description: c.description, version: c.version, createdAt: new Date(c.purposeCreatedAt), updatedAt: new Date(c.purposeUpdatedAt) };
    seen.set(key, purpose);
  }
  return purpose;
}

/** Maps a row of customerWithConsentsColumns; both drivers parse json, but a string is accepted too. */
function toCustomerWithConsents(row: CustomerRow & { consents: ConsentJson[] | string }, seen: PurposesSeen = new Map()): CustomerWithConsents {
  const { consents: raw, ...customer } = row;
  const list: ConsentJson[] = typeof raw === 'string' ? JSON.parse(raw) : raw;
  return {
    customer: customer as typeof customer & { status: CustomerStatus },
    consents: list.map(
      (c): Consent => ({
        customerId: customer.id,
        purpose: purposeOf(c, seen),
        purposeVersion: c.purposeVersion,
        status: c.status as ConsentStatus,
        source: c.source as ConsentSource,
        grantedAt: c.grantedAt === null ? null : new Date(c.grantedAt),
        withdrawnAt: c.withdrawnAt === null ? null : new Date(c.withdrawnAt),
        updatedAt: new Date(c.updatedAt),
      }),
    ),
  };
}

/** Maps every row of one result, sharing the purposes among them. */
export function toCustomersWithConsents(rows: readonly (CustomerRow & { consents: ConsentJson[] | string })[]): CustomerWithConsents[] {
  const seen: PurposesSeen = new Map();
  return rows.map((row) => toCustomerWithConsents(row, seen));
}
