import { describe, expect, it } from 'vitest';
import { newCustomer } from '../../src/domain/customers/customer.js';
import { canonicalResource, toProvisionedUser, toResource } from '../../src/domain/scim/user-resource.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const read = (body: Record<string, unknown>, current?: string) => toProvisionedUser(canonicalResource({ schemas: [CORE], ...body }), current);

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
      userName: 'Ada@Example.COM',
      email: 'ada@example.com',
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

  it('takes the email from emails[primary], else the only email, else the userName when emails is absent', () => {
    expect(read({ userName: 'bjensen', emails: [{ value: 'home@example.org' }, { value: 'Work@Example.com', primary: true }] })).toMatchObject({
      userName: 'bjensen',
      email: 'Work@example.com',
      document: { emails: [{ value: 'home@example.org' }] },
    });
    expect(read({ userName: 'bjensen', emails: [{ value: 'only@example.com', type: 'work' }] })).toMatchObject({ email: 'only@example.com', document: { primaryEmail: { type: 'work' } } });
    expect(read({ userName: 'Ada@Example.COM' })).toMatchObject({ userName: 'Ada@Example.COM', email: 'Ada@example.com' });
    expect(() => read({ userName: 'bjensen' })).toThrow(/emails: a customer needs an email address/);
    expect(() => read({ userName: 'bjensen', emails: [{ value: 'not an email', primary: true }] })).toThrow(/email/);
    expect(() => read({ userName: ' ' })).toThrow(/userName is required/);
  });

  it('among several unmarked emails keeps the current one, else the userName one, else the first', () => {
    const emails = [{ value: 'a@example.com' }, { value: 'b@example.com' }, { value: 'c@example.com' }];
    expect(read({ userName: 'c@example.com', emails }, 'B@example.com').email).toBe('b@example.com');
    expect(read({ userName: 'c@example.com', emails }).email).toBe('c@example.com');
    expect(read({ userName: 'bjensen', emails }).email).toBe('a@example.com');
  });

  it('refuses two primaries', () => {
    expect(() => read({ userName: 'a@example.com', emails: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: true }] })).toThrow(/At most one/);
    expect(() => read({ userName: 'a@example.com', phoneNumbers: [{ value: '+1', primary: true }, { value: '+2', primary: true }] })).toThrow(/At most one/);
  });

  it('represents the customer with the record around it', () => {
    const customer = { ...newCustomer({ id: 'c-1', email: 'ada@example.com', status: 'DISABLED', at: new Date('2026-01-01T00:00:00Z') }), givenName: 'Ada' };
    const resource = toResource(customer, { customerId: 'c-1', userName: 'Ada', externalId: 'x', document: { primaryEmail: { type: 'work' }, title: 'Countess' } }, 'https://kith.test/scim/v2');
    expect(resource).toEqual({
      schemas: [CORE],
      id: 'c-1',
      externalId: 'x',
      userName: 'Ada',
      name: { givenName: 'Ada' },
      title: 'Countess',
      active: false,
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      meta: { resourceType: 'User', created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z', location: 'https://kith.test/scim/v2/Users/c-1', version: 'W/"1"' },
    });
  });
});
