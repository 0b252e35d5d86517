import { describe, expect, it } from 'vitest';
import type { ConsentPurpose } from '../../src/domain/consents/consent.js';
import { newCustomer } from '../../src/domain/customers/customer.js';
import { toCustomersWithConsents } from '../../src/store/customer-reads.js';

const at = new Date('2026-11-25T06:00:00.123Z');
const purpose = (key: string, version = 1): ConsentPurpose => ({ key, title: key, description: `about ${key}`, version, createdAt: at, updatedAt: at });
/** A row as the driver gives it: column names, timestamps as (double) epoch milliseconds. */
const row = (id: string, consents: unknown, attributes: unknown = {}) =>
  ({
    id,
    status: 'LIGHT',
    email: `${id}@example.com`,
    email_verified: false,
    phone_number: null,
    phone_number_verified: false,
    given_name: null,
    family_name: null,
    locale: null,
    attributes,
    anonymous_ids: [],
    created_ms: at.getTime() + 0.0001,
    updated_ms: at.getTime() - 0.0001,
    version: 1,
    consents,
  }) as never;

/** A purpose source that counts how often each kind of read was asked for. */
function source(cached: ConsentPurpose[], fresh: ConsentPurpose[]) {
  const calls = { cached: 0, fresh: 0 };
  return {
    calls,
    read: async (isFresh: boolean) => {
      calls[isFresh ? 'fresh' : 'cached'] += 1;
      return isFresh ? fresh : cached;
    },
  };
}

describe('toCustomersWithConsents', () => {
  it('joins each consent to its purpose from the cached catalog, sharing one object per purpose', async () => {
    const purposes = source([purpose('analytics'), purpose('marketing_email', 2)], []);
    const ms = at.getTime();
    const rows = [
      row('a', [['analytics', 1, 'GRANTED', 'FORM', ms, null, ms]]),
      // Both drivers parse json; a string is accepted too. date_part's doubles are rounded to the millisecond.
      row('b', JSON.stringify([['analytics', 1, 'WITHDRAWN', 'APP', ms - 0.0002, ms + 0.9999, ms + 1000.4]]), JSON.stringify({ company: 'Acme' })),
      row('c', []),
    ];
    const [a, b, c] = await toCustomersWithConsents(rows, purposes.read);
    expect(purposes.calls).toEqual({ cached: 1, fresh: 0 });
    expect(a!.customer).toEqual(newCustomer({ id: 'a', email: 'a@example.com', status: 'LIGHT', at }));
    expect(a!.consents).toEqual([
      { customerId: 'a', purpose: purpose('analytics'), purposeVersion: 1, status: 'GRANTED', source: 'FORM', grantedAt: at, withdrawnAt: null, updatedAt: at },
    ]);
    expect(b!.consents[0]).toMatchObject({ customerId: 'b', status: 'WITHDRAWN', source: 'APP', grantedAt: at, withdrawnAt: new Date(ms + 1), updatedAt: new Date(ms + 1000) });
    expect(b!.consents[0]!.purpose).toBe(a!.consents[0]!.purpose);
    expect(b!.customer.attributes).toEqual({ company: 'Acme' });
    expect(c!.consents).toEqual([]);
  });

  it('reads the catalog again, fresh, when a consent names a purpose the cached one does not know yet', async () => {
    const purposes = source([purpose('analytics')], [purpose('analytics'), purpose('loyalty')]);
    const [a] = await toCustomersWithConsents([row('a', [['loyalty', 1, 'GRANTED', 'FORM', 0, null, 0]])], purposes.read);
    expect(purposes.calls).toEqual({ cached: 1, fresh: 1 });
    expect(a!.consents[0]!.purpose).toEqual(purpose('loyalty'));
  });

  it('reads the catalog again, fresh, when a consent was decided on a newer version than the cached one', async () => {
    const purposes = source([purpose('analytics', 1)], [purpose('analytics', 2)]);
    const [a] = await toCustomersWithConsents([row('a', [['analytics', 2, 'GRANTED', 'FORM', 0, null, 0]])], purposes.read);
    expect(purposes.calls).toEqual({ cached: 1, fresh: 1 });
    expect(a!.consents[0]!.purpose.version).toBe(2);
  });

  it('fails loudly when not even the fresh catalog holds the purpose', async () => {
    const purposes = source([], []);
    await expect(toCustomersWithConsents([row('a', [['gone', 1, 'GRANTED', 'FORM', 0, null, 0]])], purposes.read)).rejects.toThrow(/purpose gone/);
  });
});
