import { describe, expect, it } from 'vitest';
import { normaliseEmail } from '../../src/domain/customers/email.js';
import { expectBadInput } from './domain-error.js';

const MESSAGE = 'email is not a valid email address: expected local@domain.tld, at most 254 characters.';

/** A domain of exactly `length` characters made of valid labels, ending in `.com`. */
function domainOf(length: number): string {
  const labels: string[] = [];
  let rest = length - '.com'.length;
  while (rest > 0) {
    const size = Math.min(63, rest);
    labels.push('d'.repeat(size));
    rest -= size + 1; // the dot before the next label
  }
  const domain = `${labels.join('.')}.com`;
  if (domain.length !== length) throw new Error(`domainOf(${length}) made ${domain.length} characters`);
  return domain;
}

describe('normaliseEmail', () => {
  it('trims, lower-cases the domain and keeps the local part as typed', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM \n')).toBe('Ada.Lovelace@example.com');
  });

  it.each(["o'brien+news@example.ie", 'a_b-c!#$%&*/=?^`{|}~@sub.example.co.uk', 'x@1.2', 'ada@my-example.com'])(
    'accepts %j',
    (email) => {
      expect(normaliseEmail(email)).toBe(email);
    },
  );

  it.each([
    ['ada@localhost', 'no dot in the domain'],
    ['ada.example.com', 'no @'],
    ['@example.com', 'empty local part'],
    ['ada@', 'empty domain'],
    ['ada@.example.com', 'empty first label'],
    ['ada@example..com', 'consecutive dots in the domain'],
    ['ada@example.com.', 'trailing dot'],
    ['ada@-example.com', 'label starting with -'],
    ['ada@example-.com', 'label ending with -'],
    ['ada@ex_ample.com', 'underscore in the domain'],
    ['ada lovelace@example.com', 'space in the local part'],
    ['adá@example.com', 'non-ASCII local part'],
    ['ada@exämple.com', 'non-ASCII domain'],
    ['', 'empty'],
    ['   ', 'blank'],
  ])('refuses %j (%s)', (email) => {
    expectBadInput(() => normaliseEmail(email), 'email', MESSAGE);
  });

  describe('more than one @', () => {
    it('splits at the last @ and refuses the @ left in the local part', () => {
      expectBadInput(() => normaliseEmail('a@b@example.com'), 'email', MESSAGE);
    });

    it('refuses quoted local parts, even a quoted @ that RFC 5321 would allow', () => {
      expectBadInput(() => normaliseEmail('"a\\"@b"@example.com'), 'email', MESSAGE);
      expectBadInput(() => normaliseEmail('"a b"@example.com'), 'email', MESSAGE);
    });
  });

  describe('length limits', () => {
    it('takes domain labels of up to 63 characters', () => {
      expect(normaliseEmail(`ada@${'b'.repeat(63)}.com`)).toBe(`ada@${'b'.repeat(63)}.com`);
      expectBadInput(() => normaliseEmail(`ada@${'b'.repeat(64)}.com`), 'email', MESSAGE);
    });

    it('takes local parts of up to 64 characters', () => {
      expect(normaliseEmail(`${'a'.repeat(64)}@example.com`)).toBe(`${'a'.repeat(64)}@example.com`);
      expectBadInput(() => normaliseEmail(`${'a'.repeat(65)}@example.com`), 'email', MESSAGE);
    });

    it('takes addresses of up to 254 characters, counted after trimming', () => {
      const longest = `${'a'.repeat(64)}@${domainOf(189)}`;
      expect(longest).toHaveLength(254);
      expect(normaliseEmail(`  ${longest}  `)).toBe(longest);
      const tooLong = `${'a'.repeat(64)}@${domainOf(190)}`;
      expect(tooLong).toHaveLength(255);
      expectBadInput(() => normaliseEmail(tooLong), 'email', MESSAGE);
    });
  });

  it('names the field it was given', () => {
    expectBadInput(
      () => normaliseEmail('nope', 'input.email'),
      'input.email',
      'input.email is not a valid email address: expected local@domain.tld, at most 254 characters.',
    );
  });
});
