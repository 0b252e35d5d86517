import { createHash, randomBytes } from 'node:crypto';
import type { RecoveryCodeCodec } from '../domain/factors/recovery-code-rules.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * Recovery codes: ten base32 characters from 10 random bytes (5 bits of each: 256 is a multiple of 32, so
 * every character is uniform), 50 bits in all, shown as `xxxxx-xxxxx`. Stored as a plain SHA-256: a slow,
 * salted hash is for guessable secrets such as passwords, whose candidates a dictionary lists; a random
 * 50-bit code has no dictionary, so a stolen hash costs about 2^49 SHA-256 per code (days of GPU time), and
 * the code then proves only the second factor: the password or a live session is still needed. A fast hash
 * also lets the check be one indexed lookup by hash, so no comparison ever touches the code itself.
 */
export const recoveryCodeCodec: RecoveryCodeCodec = {
  generate() {
    const chars = Array.from(randomBytes(10), (byte) => ALPHABET[byte & 31]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  },
  hash: (normalised) => createHash('sha256').update(normalised).digest('base64url'),
};
