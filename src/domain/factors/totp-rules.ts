/** The hash, length and period of a TOTP (RFC 6238), and how many steps either side of now are accepted. */
export interface TotpParameters {
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  periodSeconds: number;
  /** Steps accepted either side of the current one, for clocks that drift and codes typed slowly. */
  window: number;
}

/** What every authenticator app supports: SHA-1, 6 digits, 30 seconds, one step either side. */
export const KITH_TOTP: TotpParameters = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, window: 1 };

/** What an authenticator app needs to enrol: the key in base32, the otpauth:// URI, and that URI as a QR code. */
export interface TotpProvisioning {
  sharedKey: string;
  otpauthUri: string;
  qrCodeDataUrl: string;
}

/** The HOTP arithmetic and the enrolment formats; auth/ implements it with otpauth. */
export interface TotpAlgorithm {
  /** A fresh random seed: 20 bytes, the length RFC 4226 recommends for SHA-1. */
  newSecret(): Uint8Array;
  /** Whether `code` is the code of `secret` at time step `step` (compared in constant time). */
  isCodeAt(secret: Uint8Array, step: number, code: string, params: TotpParameters): boolean;
  provisioning(secret: Uint8Array, account: { issuer: string; label: string }, params: TotpParameters): Promise<TotpProvisioning>;
}

/** The RFC 6238 time step of an instant: whole periods since the Unix epoch. */
export const timeStep = (at: Date, periodSeconds: number): number => Math.floor(at.getTime() / 1000 / periodSeconds);

/** Spaces a customer may type inside a code ("123 456") are dropped; anything else is kept and checked. */
export const normaliseTotpCode = (raw: string): string => raw.replace(/\s+/g, '');

/**
 * The time step whose code `code` is, if it is within `window` steps of `at` and later than `lastStep`,
 * the last step accepted for this secret; null otherwise. Refusing every step up to the last accepted one
 * stops a code being used twice, and also an older code of the window once a newer one was used.
 */
export function verifyTotp(input: {
  secret: Uint8Array;
  code: string;
  at: Date;
  lastStep: number | null;
  params: TotpParameters;
  algorithm: Pick<TotpAlgorithm, 'isCodeAt'>;
}): number | null {
  const { params } = input;
  if (input.code.length !== params.digits || !/^\d+$/.test(input.code)) return null;
  const now = timeStep(input.at, params.periodSeconds);
  let accepted: number | null = null;
  // Every step of the window is computed, matching or not, so the time taken tells nothing.
  for (let step = now - params.window; step <= now + params.window; step += 1) {
    const fresh = step >= 0 && (input.lastStep === null || step > input.lastStep);
    if (input.algorithm.isCodeAt(input.secret, step, input.code, params) && fresh) accepted = step;
  }
  return accepted;
}
