import { describe, expect, it } from 'vitest';
import { applyPatch, PATCH_OP } from '../../src/domain/scim/patch.js';
import { ScimError } from '../../src/domain/scim/scim-error.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

const bjensen = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: '2819c223-7f76-453a-919d-413861904646',
  userName: 'bjensen@example.com',
  name: { familyName: 'Jensen', givenName: 'Barbara' },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [
    { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', primary: true },
    { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US' },
  ],
});

function refused(body: unknown, scimType: string) {
  try {
    applyPatch(bjensen(), body);
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ scimType });
  }
}

describe('PATCH as RFC 7644 section 3.5.2 shows it', () => {
  it('3.5.2.1: adds without a path (an email and a nickName)', () => {
    const result = applyPatch(bjensen(), patch({ op: 'add', value: { emails: [{ value: 'babs@example.org', type: 'other' }], nickName: 'Babs' } }));
    expect(result.emails).toEqual([...bjensen().emails, { value: 'babs@example.org', type: 'other' }]);
    expect(result.nickName).toBe('Babs');
  });

  it('3.5.2.1: adds to a multi-valued attribute by path, and a new primary value clears the old one', () => {
    const result = applyPatch(bjensen(), patch({ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'work', primary: true }] }));
    expect(result.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'new@example.com', type: 'work', primary: true },
    ]);
  });

  it('3.5.2.1: does not add a value the attribute already holds', () => {
    const result = applyPatch(bjensen(), patch({ op: 'add', path: 'emails', value: [{ type: 'home', value: 'babs@jensen.org' }] }));
    expect(result.emails).toEqual(bjensen().emails);
  });

  it('3.5.2.2: removes a single-valued attribute and a sub-attribute', () => {
    expect(applyPatch(bjensen(), patch({ op: 'remove', path: 'name.familyName' })).name).toEqual({ givenName: 'Barbara' });
    expect(applyPatch(bjensen(), patch({ op: 'remove', path: 'addresses' })).addresses).toBeUndefined();
  });

  it('3.5.2.2: removes the values a value filter selects', () => {
    const result = applyPatch(bjensen(), patch({ op: 'remove', path: 'emails[type eq "home" and value ew "jensen.org"]' }));
    expect(result.emails).toEqual([bjensen().emails[0]]);
  });

  it('3.5.2.2: removes a sub-attribute of the selected values only', () => {
    const result = applyPatch(bjensen(), patch({ op: 'remove', path: 'addresses[type eq "home"].postalCode' }));
    expect((result.addresses as any[])[1]).not.toHaveProperty('postalCode');
    expect((result.addresses as any[])[0]).toHaveProperty('postalCode', '91608');
  });

  it('3.5.2.3: replaces the work address as a whole', () => {
    const work = { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', primary: true };
    const result = applyPatch(bjensen(), patch({ op: 'replace', path: 'addresses[type eq "work"]', value: work }));
    expect(result.addresses).toEqual([work, bjensen().addresses[1]]);
  });

  it('3.5.2.3: replaces one sub-attribute of the selected value', () => {
    const result = applyPatch(bjensen(), patch({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }));
    expect((result.addresses as any[])[0].streetAddress).toBe('1010 Broadway Ave');
    expect((result.addresses as any[])[1].streetAddress).toBe('456 Hollywood Blvd');
  });

  it('3.5.2.3: replaces several attributes without a path', () => {
    const emails = [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ];
    const result = applyPatch(bjensen(), patch({ op: 'replace', value: { emails, nickName: 'Babs' } }));
    expect(result.emails).toEqual(emails);
    expect(result.nickName).toBe('Babs');
  });

  it('replaces a complex attribute sub-attribute by sub-attribute, leaving the others', () => {
    expect(applyPatch(bjensen(), patch({ op: 'replace', path: 'name', value: { givenName: 'Babs' } })).name).toEqual({ familyName: 'Jensen', givenName: 'Babs' });
  });

  it('reads paths in any case and with the schema URN, like filters', () => {
    const result = applyPatch(
      bjensen(),
      patch(
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:NAME.GIVENNAME', value: 'Babs' },
        { op: 'add', path: `${ENTERPRISE}:department`, value: 'Tour Operations' },
        { op: 'add', value: { [ENTERPRISE]: { manager: { value: 'm-1' } } } },
      ),
    );
    expect(result.name).toEqual({ familyName: 'Jensen', givenName: 'Babs' });
    expect(result[ENTERPRISE]).toEqual({ department: 'Tour Operations', manager: { value: 'm-1' } });
  });

  it('applies the operations in order, on a copy', () => {
    const original = bjensen();
    const result = applyPatch(original, patch({ op: 'add', path: 'title', value: 'A' }, { op: 'replace', path: 'title', value: 'B' }, { op: 'remove', path: 'nickName' }));
    expect(result.title).toBe('B');
    expect(original).toEqual(bjensen());
  });
});

describe('PATCH errors', () => {
  it('noTarget: a remove without a path, and a filter that selects nothing for replace', () => {
    refused(patch({ op: 'remove' }), 'noTarget');
    refused(patch({ op: 'replace', path: 'emails[type eq "pager"].value', value: 'x@example.com' }), 'noTarget');
  });

  it('invalidPath: malformed and unknown paths', () => {
    for (const path of ['', 'emails[type eq "work"', 'emails[type eq]', 'noSuch', 'name.noSuch', 'emails[type eq "work"]x', 'userName[value eq "x"]', 'emails[nosuch eq "x"]']) {
      refused(patch({ op: 'replace', path, value: 'x' }), 'invalidPath');
    }
  });

  it('mutability: read-only attributes', () => {
    refused(patch({ op: 'replace', path: 'id', value: 'other' }), 'mutability');
    refused(patch({ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }), 'mutability');
    refused(patch({ op: 'add', path: `${ENTERPRISE}:manager.displayName`, value: 'Boss' }), 'mutability');
  });

  it('invalidSyntax: not a PatchOp, no operations, an unknown op', () => {
    refused({ Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'invalidSyntax');
    refused(patch(), 'invalidSyntax');
    refused(patch({ op: 'move', path: 'title', value: 'x' }), 'invalidSyntax');
    refused('not json object', 'invalidSyntax');
  });

  it('invalidValue: add or replace without a value', () => {
    refused(patch({ op: 'add', path: 'title' }), 'invalidValue');
    refused(patch({ op: 'replace', value: 'a string' }), 'invalidValue');
  });
});
