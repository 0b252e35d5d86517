import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientSecrets } from '../domain/principals/service-client.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Client ids and secrets from node:crypto. A secret is 256 random bits, so SHA-256 is a sound one-way
 * form: stretching (argon2) protects guessable secrets, and these are not guessable.
 */
export const clientSecrets: ClientSecrets = {
  generate: () => ({ clientId: `kc_${randomBytes(12).toString('base64url')}`, secret: clientSecrets.generateSecret() }),
  generateSecret: () => `ks_${randomBytes(32).toString('base64url')}`,
  hash: sha256,
  matches: (secret, hash) => {
    const presented = Buffer.from(sha256(secret), 'hex');
    const stored = Buffer.from(hash, 'hex');
    return presented.length === stored.length && timingSafeEqual(presented, stored);
  },
};
