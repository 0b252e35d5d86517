import { badInput } from '../errors.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordPolicy {
  /** Throws BAD_USER_INPUT (field `password`) saying what to change, or returns the password as given. */
  check(password: string, context: { email: string }): string;
}

/**
 * NIST SP 800-63B: length 8 to (at least) 64, every character allowed, no composition rules, and a
 * blocklist of common and context-specific passwords. Length counts Unicode code points after NFKC.
 */
export function createPasswordPolicy(deps: { commonPasswords: ReadonlySet<string> }): PasswordPolicy {
  return {
    check(password, { email }) {
      const normalised = password.normalize('NFKC');
      const length = [...normalised].length;
      if (length < PASSWORD_MIN_LENGTH) {
        throw badInput(`password must have at least ${PASSWORD_MIN_LENGTH} characters.`, 'password');
      }
      if (length > PASSWORD_MAX_LENGTH) {
        throw badInput(`password must have at most ${PASSWORD_MAX_LENGTH} characters.`, 'password');
      }
      const lowered = normalised.toLowerCase();
      if (deps.commonPasswords.has(lowered)) {
        throw badInput('password is one of the most common passwords; choose one that is harder to guess.', 'password');
      }
      const local = email.slice(0, email.lastIndexOf('@')).toLowerCase();
      if (lowered === email.toLowerCase() || lowered === local) {
        throw badInput('password must not be your email address.', 'password');
      }
      if (/^(.)\1+$/u.test(password)) {
        throw badInput('password must not repeat a single character.', 'password');
      }
      return password;
    },
  };
}
