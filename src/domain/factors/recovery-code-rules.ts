/** How many recovery codes a customer gets at a time. */
export const RECOVERY_CODE_COUNT = 10;

/** Ten base32 characters (50 random bits), shown as `xxxxx-xxxxx`. */
const NORMALISED = /^[a-z2-7]{10}$/;

/** Makes and hashes recovery codes; auth/ implements it with node:crypto. */
export interface RecoveryCodeCodec {
  /** A fresh random code in its display form, `xxxxx-xxxxx`. */
  generate(): string;
  /** The stored form of a normalised code. */
  hash(normalised: string): string;
}

/**
 * A code as typed, in the form it is hashed in: lower case, without dashes or spaces. Null when it cannot
 * be a recovery code at all.
 */
export function normaliseRecoveryCode(raw: string): string | null {
  const code = raw.toLowerCase().replace(/[\s-]+/g, '');
  return NORMALISED.test(code) ? code : null;
}

/** A fresh set: the codes to show once, and the hashes to store. */
export function newRecoveryCodes(codec: RecoveryCodeCodec): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => codec.generate());
  return { codes, hashes: codes.map((code) => codec.hash(normaliseRecoveryCode(code)!)) };
}
