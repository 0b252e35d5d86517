import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRefreshTokenCodec } from '../../src/auth/refresh-tokens.js';

const codec = createRefreshTokenCodec('a key encryption key of 32 characters or more');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('refresh token codec', () => {
  it('names the session and knows its own tokens, under its own key only', () => {
    const sessionId = randomUUID();
    const token = codec.generate(sessionId);
    expect(codec.sessionOf(token)).toBe(sessionId);
    expect(codec.issuedByKith(token)).toBe(true);
    expect(createRefreshTokenCodec('another key encryption key of 32 characters').issuedByKith(token)).toBe(false);
    // Another session's id with the same secret and tag: the tag covers the id.
    const [, secret, tag] = token.split('.');
    expect(codec.issuedByKith(`${randomUUID()}.${secret}.${tag}`)).toBe(false);
  });

  it('takes exactly one spelling of a tag, though base64url leaves spare bits in its last character', () => {
    const token = codec.generate(randomUUID());
    const others = [...ALPHABET].filter((c) => c !== token.at(-1)).map((c) => token.slice(0, -1) + c);
    expect(others.filter((variant) => codec.issuedByKith(variant))).toEqual([]);
  });

  it('reads tokens from before the tag, which it cannot vouch for', () => {
    const sessionId = randomUUID();
    const legacy = `${sessionId}.${'a'.repeat(43)}`;
    expect(codec.sessionOf(legacy)).toBe(sessionId);
    expect(codec.issuedByKith(legacy)).toBe(false);
  });
});
