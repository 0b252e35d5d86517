import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRefreshTokenCodec } from '../../src/auth/refresh-tokens.js';

const codec = createRefreshTokenCodec('a key encryption key of 32 characters or more');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('refresh token codec', () => {
  it('names the session and knows its own tokens, under its own key only; a tag that does not check out is no token', () => {
    const sessionId = randomUUID();
    const token = codec.generate(sessionId);
    expect(codec.read(token)).toEqual({ sessionId, issuedByKith: true });
    expect(createRefreshTokenCodec('another key encryption key of 32 characters').read(token)).toBeNull();
    // Another session's id with the same secret and tag: the tag covers the id.
    const [, secret, tag] = token.split('.');
    expect(codec.read(`${randomUUID()}.${secret}.${tag}`)).toBeNull();
  });

  it('takes exactly one spelling of a tag, though base64url leaves spare bits in its last character', () => {
    const token = codec.generate(randomUUID());
    const others = [...ALPHABET].filter((c) => c !== token.at(-1)).map((c) => token.slice(0, -1) + c);
    expect(others.filter((variant) => codec.read(variant) !== null)).toEqual([]);
  });

  it('reads tokens from before the tag, which it cannot vouch for', () => {
    const sessionId = randomUUID();
    const legacy = `${sessionId}.${'a'.repeat(43)}`;
    expect(codec.read(legacy)).toEqual({ sessionId, issuedByKith: false });
  });
});
