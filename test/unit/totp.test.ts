import { describe, expect, it } from 'vitest';
import { otpauthTotp } from '../../src/auth/totp.js';
import { KITH_TOTP, type TotpParameters, verifyTotp } from '../../src/domain/factors/totp-rules.js';

const ascii = (text: string) => new TextEncoder().encode(text);
/** RFC 6238 Appendix B seeds: the ASCII digits 1234567890 repeated to the hash's length. */
const SEEDS = {
  SHA1: ascii('12345678901234567890'),
  SHA256: ascii('12345678901234567890123456789012'),
  SHA512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;

/** RFC 6238 Appendix B: time in seconds, the 8-digit code, the hash. */
const VECTORS: [number, string, keyof typeof SEEDS][] = [
  [59, '94287082', 'SHA1'],
  [59, '46119246', 'SHA256'],
  [59, '90693936', 'SHA512'],
  [1111111109, '07081804', 'SHA1'],
  [1111111109, '68084774', 'SHA256'],
  [1111111109, '25091201', 'SHA512'],
  [1111111111, '14050471', 'SHA1'],
  [1111111111, '67062674', 'SHA256'],
  [1111111111, '99943326', 'SHA512'],
  [1234567890, '89005924', 'SHA1'],
  [1234567890, '91819424', 'SHA256'],
  [1234567890, '93441116', 'SHA512'],
  [2000000000, '69279037', 'SHA1'],
  [2000000000, '90698825', 'SHA256'],
  [2000000000, '38618901', 'SHA512'],
  [20000000000, '65353130', 'SHA1'],
  [20000000000, '77737706', 'SHA256'],
  [20000000000, '47863826', 'SHA512'],
];

const verify = (code: string, seconds: number, params: TotpParameters, lastStep: number | null = null, secret = SEEDS.SHA1) =>
  verifyTotp({ secret, code, at: new Date(seconds * 1000), lastStep, params, algorithm: otpauthTotp });

describe('TOTP verification', () => {
  it.each(VECTORS)('accepts the RFC 6238 Appendix B code at %i s (%s, %s) at its own step only', (seconds, code, algorithm) => {
    const params: TotpParameters = { algorithm, digits: 8, periodSeconds: 30, window: 0 };
    const step = Math.floor(seconds / 30);
    expect(verify(code, seconds, params, null, SEEDS[algorithm])).toBe(step);
    // One period later, without a window, the same code is refused.
    expect(verify(code, seconds + 30, params, null, SEEDS[algorithm])).toBeNull();
    // A single wrong digit is refused.
    const wrong = `${code.slice(0, 7)}${(Number(code[7]) + 1) % 10}`;
    expect(verify(wrong, seconds, params, null, SEEDS[algorithm])).toBeNull();
  });

  const at = 1234567890;
  const eightDigitWindow: TotpParameters = { ...KITH_TOTP, digits: 8 };

  it('accepts a code one step either side of now, and refuses two steps away', () => {
    // 89005924 is the SHA-1 code of step 41152263 (1234567890 s).
    expect(verify('89005924', at + 30, eightDigitWindow)).toBe(41152263);
    expect(verify('89005924', at - 30, eightDigitWindow)).toBe(41152263);
    expect(verify('89005924', at + 60, eightDigitWindow)).toBeNull();
    expect(verify('89005924', at - 60, eightDigitWindow)).toBeNull();
  });

  it('refuses a code whose step is not after the last accepted one', () => {
    expect(verify('89005924', at, eightDigitWindow, 41152263)).toBeNull();
    expect(verify('89005924', at, eightDigitWindow, 41152264)).toBeNull();
    expect(verify('89005924', at, eightDigitWindow, 41152262)).toBe(41152263);
  });

  it('refuses codes of the wrong length or with other characters', () => {
    expect(verify('8900592', at, eightDigitWindow)).toBeNull();
    expect(verify('089005924', at, eightDigitWindow)).toBeNull();
    expect(verify('8900592a', at, eightDigitWindow)).toBeNull();
    expect(verify('', at, eightDigitWindow)).toBeNull();
  });

  it('verifies the 6-digit codes Kith issues, which are the last 6 digits of the 8-digit ones', () => {
    expect(verify('005924', at, KITH_TOTP)).toBe(41152263);
  });
});
