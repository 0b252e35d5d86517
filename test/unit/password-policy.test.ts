import { describe, expect, it } from 'vitest';
import { loadCommonPasswords } from '../../src/auth/common-passwords.js';
import { createPasswordPolicy, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/domain/credentials/password-policy.js';
import { expectBadInput } from './domain-error.js';

const EMAIL = 'ada.lovelace@example.com';
const TOO_SHORT = 'password must have at least 8 characters.';
const TOO_LONG = 'password must have at most 128 characters.';
const COMMON = 'password is one of the most common passwords; choose one that is harder to guess.';
const IS_EMAIL = 'password must not be your email address.';
const REPEATED = 'password must not repeat a single character.';

describe('createPasswordPolicy with a small blocklist', () => {
  const policy = createPasswordPolicy({ commonPasswords: new Set(['letmein123', 'correcthorse']) });
  const check = (password: string, email = EMAIL) => policy.check(password, { email });

  it('has the NIST bounds', () => {
    expect([PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH]).toEqual([8, 128]);
  });

  it('returns an acceptable password exactly as given', () => {
    expect(check(' Tr0ub4dor & 3 ')).toBe(' Tr0ub4dor & 3 ');
  });

  it('takes 8 characters and refuses 7', () => {
    expect(check('abcdefgh')).toBe('abcdefgh');
    expectBadInput(() => check('abcdefg'), 'password', TOO_SHORT);
  });

  it('counts code points, so 7 emoji are too short and 8 are enough', () => {
    expectBadInput(() => check('🐱🐶🦊🐻🐼🐨🐯'), 'password', TOO_SHORT);
    expect(check('🐱🐶🦊🐻🐼🐨🐯🦁')).toBe('🐱🐶🦊🐻🐼🐨🐯🦁');
  });

  it('counts after NFKC: composed accents count once, ligatures expand', () => {
    // 'e' + COMBINING ACUTE ACCENT is 8 code points as typed but 4 after NFKC.
    expectBadInput(() => check('e\u0301'.repeat(4)), 'password', TOO_SHORT);
    // Four ligatures become 'fffiflffi': 9 code points.
    expect(check('ﬀﬁﬂﬃ')).toBe('ﬀﬁﬂﬃ');
  });

  it('takes 64 and 128 characters and refuses 129', () => {
    const sixtyFour = 'correct-Horse-battery-staple-'.repeat(3).slice(0, 64);
    expect(sixtyFour).toHaveLength(64);
    expect(check(sixtyFour)).toBe(sixtyFour);
    expect(check('ab'.repeat(64))).toBe('ab'.repeat(64));
    expectBadInput(() => check(`${'ab'.repeat(64)}c`), 'password', TOO_LONG);
  });

  it('refuses blocklisted passwords case-insensitively', () => {
    expectBadInput(() => check('letmein123'), 'password', COMMON);
    expectBadInput(() => check('LetMeIn123'), 'password', COMMON);
    expect(check('letmein1234')).toBe('letmein1234');
  });

  it('refuses the email address and its local part, ignoring case', () => {
    expectBadInput(() => check('Ada.Lovelace@Example.com'), 'password', IS_EMAIL);
    expectBadInput(() => check('ADA.LOVELACE'), 'password', IS_EMAIL);
    expect(check('ada.lovelace!1815')).toBe('ada.lovelace!1815');
  });

  it('splits the email at its last @', () => {
    expectBadInput(() => check('weird@local', 'weird@local@example.com'), 'password', IS_EMAIL);
  });

  it('refuses a single repeated character, including an emoji, but not a near repeat', () => {
    expectBadInput(() => check('aaaaaaaa'), 'password', REPEATED);
    expectBadInput(() => check('🙂'.repeat(8)), 'password', REPEATED);
    expect(check('aaaaaaaA')).toBe('aaaaaaaA');
  });
});

describe('createPasswordPolicy with the real common-password list', () => {
  const commonPasswords = loadCommonPasswords();
  const policy = createPasswordPolicy({ commonPasswords });
  const check = (password: string) => policy.check(password, { email: EMAIL });

  it('keeps only lower-cased entries long enough to pass the length rule', () => {
    expect(commonPasswords.size).toBeGreaterThan(10_000);
    for (const p of commonPasswords) {
      if (p !== p.toLowerCase() || p.length < PASSWORD_MIN_LENGTH) throw new Error(`unexpected entry ${JSON.stringify(p)}`);
    }
  });

  it.each(['password1', 'iloveyou', 'PassWord1', 'ILoveYou', 'trustno1', 'qwertyuiop'])('refuses %j as common', (password) => {
    expectBadInput(() => check(password), 'password', COMMON);
  });

  it('refuses a common password shorter than 8 by its length', () => {
    expectBadInput(() => check('qwerty'), 'password', TOO_SHORT);
  });

  it('accepts a long random passphrase', () => {
    expect(check('violet-cactus-marmalade-47-orbit')).toBe('violet-cactus-marmalade-47-orbit');
  });
});
