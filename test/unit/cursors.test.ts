import { describe, expect, it } from 'vitest';
import { customerCursor, eventCursor, parseCustomerCursor, parseEventCursor } from '../../src/graphql/cursors.js';
import { expectBadInput } from './domain-error.js';

const MESSAGE = 'after is not a cursor this connection returned.';
const ID = '0a1b2c3d-0000-4000-8000-00000000abcd';
const raw = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;

describe('customer cursors', () => {
  it('round-trip the position through opaque base64url', () => {
    const position = { createdAt: new Date('2024-05-01T12:34:56.789Z'), id: ID };
    const cursor = customerCursor(position);
    expect(cursor).toMatch(BASE64URL);
    expect(cursor).not.toContain(ID);
    expect(parseCustomerCursor(cursor)).toEqual(position);
  });

  it('round-trip the epoch', () => {
    const position = { createdAt: new Date(0), id: ID };
    expect(parseCustomerCursor(customerCursor(position))).toEqual(position);
  });

  it('parse an absent cursor as the start', () => {
    expect(parseCustomerCursor(null)).toBeNull();
    expect(parseCustomerCursor(undefined)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['not base64url at all', '***'],
    ['plain text', 'c1:1714566896789:0a1b2c3d-0000-4000-8000-00000000abcd'],
    ['an event cursor', raw('e1:1:2')],
    ['another version tag', raw(`c2:1714566896789:${ID}`)],
    ['a non-numeric time', raw(`c1:yesterday:${ID}`)],
    ['a negative time', raw(`c1:-1:${ID}`)],
    ['a fractional time', raw(`c1:1.5:${ID}`)],
    ['a 16-digit time', raw(`c1:${'9'.repeat(16)}:${ID}`)],
    ['an id with a non-hex character', raw(`c1:1:${ID.slice(0, -1)}g`)],
    ['an upper-case id', raw(`c1:1:${ID.toUpperCase()}`)],
    ['a shortened id', raw(`c1:1:${ID.slice(0, -1)}`)],
    ['an id with a suffix', raw(`c1:1:${ID}0`)],
    ['a missing part', raw(`c1:${ID}`)],
    ['a trailing newline', raw(`c1:1:${ID}\n`)],
  ])('refuse %s', (_, cursor) => {
    expectBadInput(() => parseCustomerCursor(cursor), 'after', MESSAGE);
  });

  it('refuse an id of the right length that is not a UUID', () => {
    // The store binds it as `::uuid`, so a shape-only check lets a database error through.
    expectBadInput(() => parseCustomerCursor(raw(`c1:1:${'-'.repeat(36)}`)), 'after', MESSAGE);
  });

  it('refuse text outside the base64url alphabet, even when the rest decodes to a position', () => {
    const cursor = customerCursor({ createdAt: new Date(0), id: ID });
    expectBadInput(() => parseCustomerCursor(`${cursor.slice(0, 4)}!${cursor.slice(4)}`), 'after', MESSAGE);
  });
});

describe('event cursors', () => {
  it('round-trip the position through opaque base64url', () => {
    const position = { txId: '18446744073709551615', id: 42 };
    const cursor = eventCursor(position);
    expect(cursor).toMatch(BASE64URL);
    expect(parseEventCursor(cursor)).toEqual(position);
  });

  it('keep the transaction id as a string', () => {
    expect(parseEventCursor(eventCursor({ txId: '7', id: 1 }))).toStrictEqual({ txId: '7', id: 1 });
  });

  it('parse an absent cursor as the start', () => {
    expect(parseEventCursor(null)).toBeNull();
    expect(parseEventCursor(undefined)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['not base64url at all', '***'],
    ['plain text', 'e1:1:2'],
    ['a customer cursor', raw(`c1:1:${ID}`)],
    ['another version tag', raw('e2:1:2')],
    ['a non-numeric transaction', raw('e1:abc:2')],
    ['a non-numeric id', raw('e1:1:x')],
    ['a fractional id', raw('e1:1:1.5')],
    ['a negative id', raw('e1:1:-2')],
    ['an empty id', raw('e1:1:')],
    ['an extra part', raw('e1:1:2:3')],
    ['a 21-digit transaction', raw(`e1:${'1'.repeat(21)}:2`)],
    ['a 20-digit id', raw(`e1:1:${'1'.repeat(20)}`)],
  ])('refuse %s', (_, cursor) => {
    expectBadInput(() => parseEventCursor(cursor), 'after', MESSAGE);
  });

  it('refuse an id beyond the safe integers instead of rounding it', () => {
    // Number('9999999999999999999') is 1e19: a different position, and beyond the bigint column's range.
    expectBadInput(() => parseEventCursor(raw('e1:1:9999999999999999999')), 'after', MESSAGE);
  });
});
