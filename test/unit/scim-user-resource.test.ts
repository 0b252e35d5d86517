import { describe, expect, it } from 'vitest';
import { newCustomer } from '../../src/domain/customers/customer.js';
import { canonicalResource, followPrimaryEmail, toProvisionedUser, toResource } from '../../src/domain/scim/user-resource.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const read = (body: Record<string, unknown>) => toProvisionedUser(canonicalResource({ schemas: [CORE], ...body }));

describe('a SCIM User as a customer and its record', () => {
  it('splits the customer fields from the record, with canonical attribute names', () => {
    const user = read({
      USERNAME: 'Ada@Example.COM',
      Name: { GivenName: ' Ada ', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
      emails: [{ value: 'ada@example.com', type: 'work' }, { value: 'ada@home.example', type: 'home' }],
      phoneNumbers: [{ value: '+442079460000', type: 'mobile' }],
      active: 'False',
      [ENTERPRISE.toUpperCase()]: { EmployeeNumber: '1815', manager: { value: 'b-1', displayName: 'ignored: read-only' } },
    });
    expect(user).toEqual({
      email: 'Ada@example.com',
      givenName: 'Ada',
      familyName: 'Lovelace',
      phoneNumber: '+442079460000',
      locale: null,
      active: false,
      externalId: null,
      document: {
        name: { formatted: 'Ada Lovelace' },
        primaryEmail: { type: 'work' },
        emails: [{ value: 'ada@home.example', type: 'home' }],
        primaryPhone: { type: 'mobile' },
        [ENTERPRISE]: { employeeNumber: '1815', manager: { value: 'b-1' } },
      },
    });
  });

  it('refuses a primary email other than the userName, and two primaries', () => {
    expect(() => read({ userName: 'a@example.com', emails: [{ value: 'b@example.com', primary: true }] })).toThrow(/primary email is the userName/);
    expect(() => read({ userName: 'a@example.com', phoneNumbers: [{ value: '+1', primary: true }, { value: '+2', primary: true }] })).toThrow(/At most one/);
  });

  it('represents the customer with the record around it', () => {
    const customer = { ...newCustomer({ id: 'c-1', email: 'ada@example.com', status: 'DISABLED', at: new Date('2026-01-01T00:00:00Z') }), givenName: 'Ada' };
    const resource = toResource(customer, { customerId: 'c-1', externalId: 'x', document: { primaryEmail: { type: 'work' }, title: 'Countess' } }, 'https://kith.test/scim/v2');
    expect(resource).toEqual({
      schemas: [CORE],
      id: 'c-1',
      externalId: 'x',
      userName: 'ada@example.com',
      name: { givenName: 'Ada' },
      title: 'Countess',
      active: false,
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      meta: { resourceType: 'User', created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z', location: 'https://kith.test/scim/v2/Users/c-1', version: 'W/"1"' },
    });
  });

  it('keeps userName and the primary email together after a patch', () => {
    const before = { userName: 'a@example.com', emails: [{ value: 'a@example.com', primary: true }] };
    expect(followPrimaryEmail(before, { ...before, userName: 'b@example.com' }).emails).toEqual([{ value: 'b@example.com', primary: true }]);
    expect(followPrimaryEmail(before, { ...before, emails: [{ value: 'c@example.com', primary: true }] }).userName).toBe('c@example.com');
    const both = { userName: 'd@example.com', emails: [{ value: 'e@example.com', primary: true }] };
    expect(followPrimaryEmail(before, both)).toBe(both);
  });
});
