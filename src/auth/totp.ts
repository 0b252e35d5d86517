import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import { toDataURL } from 'qrcode';
import type { TotpAlgorithm } from '../domain/factors/totp-rules.js';

/** A Secret over its own copy of the bytes (otpauth takes an ArrayBuffer, which a view may share). */
const secretOf = (bytes: Uint8Array) => new Secret({ buffer: bytes.slice().buffer });

/**
 * HOTP codes (RFC 4226) at a TOTP time step, and the enrolment formats, with otpauth; QR codes with qrcode.
 * otpauth computes one code per step: the window and replay rules are Kith's own (domain/factors).
 */
export const otpauthTotp: TotpAlgorithm = {
  newSecret: () => Uint8Array.from(randomBytes(20)),

  isCodeAt(secret, step, code, params) {
    const expected = Buffer.from(HOTP.generate({ secret: secretOf(secret), algorithm: params.algorithm, digits: params.digits, counter: step }));
    const given = Buffer.from(code);
    return expected.length === given.length && timingSafeEqual(expected, given);
  },

  async provisioning(secret, account, params) {
    const otp = new TOTP({
      issuer: account.issuer,
      label: account.label,
      secret: secretOf(secret),
      algorithm: params.algorithm,
      digits: params.digits,
      period: params.periodSeconds,
    });
    const otpauthUri = otp.toString();
    return { sharedKey: otp.secret.base32, otpauthUri, qrCodeDataUrl: await toDataURL(otpauthUri, { errorCorrectionLevel: 'M' }) };
  },
};
