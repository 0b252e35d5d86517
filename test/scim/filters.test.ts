import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matches } from '../../src/domain/scim/filter-eval.js';
import { compileFilter } from '../../src/domain/scim/filter.js';
import { startClockedKith } from '../support/kith.js';
import { RFC_FILTERS } from './rfc-filters.js';
import { CORE, ENTERPRISE, provisioner, type ScimClient } from './scim-client.js';


let k: Awaited<ReturnType<typeof startClockedKith>>;
let s: ScimClient;
/** This file's users live under their own domain; every filter is restricted to it. */
const domain = `t${randomUUID().slice(0, 8)}.example.com`;
const users: Record<string, any> = {};

beforeAll(async () => {
  // A database of its own: the RFC's userNames (bjensen...) are unique among all SCIM users.
  k = await startClockedKith({}, { ownDatabase: true });
  ({ s } = await provisioner(k));
  const bodies = {
    barbara: {
      userName: 'bjensen',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      title: 'Tour Guide',
      userType: 'Employee',
      emails: [{ value: `bjensen@${domain}`, type: 'work', primary: true }],
      [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
    },
    omalley: {
      userName: 'jomalley',
      name: { familyName: "O'Malley", givenName: 'Jo' },
      userType: 'Intern',
      emails: [{ value: `jomalley@${domain}`, type: 'home' }, { value: 'jo@example.org', type: 'home' }],
      ims: [{ value: 'jo@foo.com', type: 'xmpp' }],
    },
    smith: {
      userName: 'Jsmith',
      name: { familyName: 'Smith' },
      emails: [{ value: `jsmith@${domain}` }],
      displayName: 'Jane Smith',
      userType: 'Contractor',
      phoneNumbers: [{ value: '+14155550100', type: 'work' }],
    },
  };
  for (const [key, body] of Object.entries(bodies)) {
    const created = await s.request('POST', '/Users', { schemas: [CORE], ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    users[key] = created.body;
  }
});

afterAll(() => k.close());

/** The names of this file's users the server returns for a filter (restricted to the file's domain). */
async function served(filter: string): Promise<string[]> {
  const response = await s.list({ filter: `(${filter}) and emails.value ew "@${domain}"`, sortBy: 'userName' });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const ids = response.body.Resources.map((r: any) => r.id);
  expect(response.body.totalResults).toBe(ids.length);
  return Object.keys(users).filter((key) => ids.includes(users[key].id)).sort();
}

/** The same filter evaluated in memory over the representations the server returned at creation. */
const expected = (filter: string) => Object.keys(users).filter((key) => matches(compileFilter(filter), users[key])).sort();

describe('the RFC 7644 filter examples over HTTP', () => {
  it.each(RFC_FILTERS)('%s: the SQL translation agrees with the filter semantics', async (filter) => {
    expect(await served(filter)).toEqual(expected(filter));
  });

  it('finds what the RFC examples describe', async () => {
    expect(await served('userName eq "bjensen"')).toEqual(['barbara']);
    expect(await served('userName eq "BJENSEN"')).toEqual(['barbara']);
    expect(await served('name.familyName co "O\'Malley"')).toEqual(['omalley']);
    expect(await served('userName sw "J"')).toEqual(['omalley', 'smith']);
    expect(await served(`${CORE}:userName sw "j"`)).toEqual(['omalley', 'smith']);
    expect(await served('title pr')).toEqual(['barbara']);
    expect(await served('meta.lastModified gt "2011-05-13T04:42:34Z"')).toEqual(['barbara', 'omalley', 'smith']);
    expect(await served('meta.lastModified lt "2011-05-13T04:42:34Z"')).toEqual([]);
    expect(await served('title pr or userType eq "Intern"')).toEqual(['barbara', 'omalley']);
    expect(await served(`schemas eq "${ENTERPRISE}"`)).toEqual(['barbara']);
    expect(await served('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toEqual([]);
    expect(await served('userType eq "Employee" and emails[type eq "work" and value co "@t"]')).toEqual(['barbara']);
    expect(await served('emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]')).toEqual(['omalley']);
    expect(await served(`emails[type eq "work" and value co "@${domain}"] or ims[type eq "xmpp" and value co "@foo.com"]`)).toEqual(['barbara', 'omalley']);
  });

  it('filters the primary email and phone, secondary values, the extension, ids and booleans', async () => {
    expect(await served('emails[value eq "JO@EXAMPLE.ORG"]')).toEqual(['omalley']);
    expect(await served('emails[primary eq true and type eq "home"]')).toEqual(['omalley']);
    expect(await served('phoneNumbers.value eq "+14155550100"')).toEqual(['smith']);
    expect(await served('phoneNumbers pr')).toEqual(['smith']);
    expect(await served(`${ENTERPRISE}:employeeNumber eq "701984"`)).toEqual(['barbara']);
    expect(await served(`id eq "${users.smith.id}"`)).toEqual(['smith']);
    expect(await served('active eq true and not (displayName pr)')).toEqual(['barbara', 'omalley']);
    expect(await served('displayName ew "smith" and name.givenName eq null')).toEqual(['smith']);
  });
});

describe('values are data, never SQL or patterns', () => {
  it('matches quotes, LIKE wildcards and backslashes literally', async () => {
    for (const value of ['%', '_', "x' or '1'='1", '\\', '"); drop table customers; --']) {
      expect(await served(`userName co ${JSON.stringify(value)} or displayName sw ${JSON.stringify(value)}`), value).toEqual([]);
    }
    expect(await served('name.familyName ew "\'malley"')).toEqual(['omalley']);
  });
});

describe('sorting and paging', () => {
  it('sorts by an attribute either way and pages with startIndex and count', async () => {
    const page = async (parameters: Record<string, string>) => {
      const response = await s.list({ filter: `emails.value ew "@${domain}"`, ...parameters });
      return { total: response.body.totalResults, start: response.body.startIndex, names: response.body.Resources.map((r: any) => r.name.familyName) };
    };
    expect(await page({ sortBy: 'name.familyName' })).toEqual({ total: 3, start: 1, names: ['Jensen', "O'Malley", 'Smith'] });
    expect(await page({ sortBy: 'name.familyName', sortOrder: 'descending' })).toEqual({ total: 3, start: 1, names: ['Smith', "O'Malley", 'Jensen'] });
    expect(await page({ sortBy: 'userName', startIndex: '2', count: '1' })).toEqual({ total: 3, start: 2, names: ["O'Malley"] });
    expect(await page({ sortBy: 'userName', startIndex: '0', count: '-1' })).toEqual({ total: 3, start: 1, names: [] });
    expect(await page({ startIndex: '9' })).toEqual({ total: 3, start: 9, names: [] });
    // A multi-valued attribute sorts by its primary value; userName case does not matter.
    expect(await page({ sortBy: 'emails.value', sortOrder: 'Descending' })).toEqual({ total: 3, start: 1, names: ['Smith', "O'Malley", 'Jensen'] });
  });

  it('answers .search like GET, with attributes', async () => {
    const response = await s.request('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      attributes: ['displayName', 'userName'],
      filter: `displayName sw "jane" and emails.value ew "@${domain}"`,
      startIndex: 1,
      count: 10,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
      Resources: [{ schemas: [CORE], id: users.smith.id, userName: 'Jsmith', displayName: 'Jane Smith' }],
    });
  });
});

describe('malformed list requests', () => {
  it.each([
    ['userName eq', 'invalidFilter'],
    ['userName eq "x" or', 'invalidFilter'],
    ['nosuch eq "x"', 'invalidFilter'],
    ['emails[type eq "work"', 'invalidFilter'],
    ['meta.created gt "not a date"', 'invalidFilter'],
  ])('filter %j is 400 %s', async (filter, scimType) => {
    const response = await s.list({ filter });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType });
    expect(response.body.detail).toEqual(expect.any(String));
  });

  it('refuses a count above maxResults with tooMany, and a bad sortBy or sortOrder with invalidValue', async () => {
    expect((await s.list({ count: '201' })).body).toMatchObject({ status: '400', scimType: 'tooMany' });
    for (const sortBy of ['nosuch', 'name', 'schemas', `${ENTERPRISE}:manager`]) {
      expect((await s.list({ sortBy })).body, sortBy).toMatchObject({ status: '400', scimType: 'invalidValue' });
    }
    expect((await s.list({ sortOrder: 'sideways' })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await s.list({ startIndex: 'one' })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });
});
