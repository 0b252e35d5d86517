import { describe, expect, it } from 'vitest';
import { checkPasskeyName, counterAdvances } from '../../src/domain/passkeys/passkey.js';

describe('the passkey signature counter', () => {
  it('must grow, except for an authenticator that keeps none (0 both times)', () => {
    expect(counterAdvances(0, 1)).toBe(true);
    expect(counterAdvances(41, 42)).toBe(true);
    expect(counterAdvances(0, 0)).toBe(true);
    expect(counterAdvances(5, 5)).toBe(false);
    expect(counterAdvances(5, 4)).toBe(false);
    // A counter that fell back to 0 after counting is a clone or a reset: refused.
    expect(counterAdvances(5, 0)).toBe(false);
  });
});

describe('passkey names', () => {
  it('are trimmed, 1 to 64 characters, without control characters', () => {
    expect(checkPasskeyName('  Work laptop ')).toBe('Work laptop');
    expect(checkPasskeyName('x'.repeat(64))).toHaveLength(64);
    for (const bad of ['', '   ', 'x'.repeat(65), 'line\nbreak', 'nul\u0000']) {
      expect(() => checkPasskeyName(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'name' }));
    }
  });
});
