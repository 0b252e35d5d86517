import { createHash, randomBytes } from 'node:crypto';
import type { RecoveryCodeCodec } from '../domain/credentials/recovery-service.js';

/**
 * Password recovery codes from node:crypto: 256 random bits, base64url (43 characters). A code that long
 * cannot be guessed, so SHA-256 is a sound one-way form to store (as for client secrets).
 */
export const passwordRecoveryCodes: RecoveryCodeCodec = {
  generate: () => randomBytes(32).toString('base64url'),
  hash: (code) => createHash('sha256').update(code).digest('hex'),
};
