import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import type { SecretSealer } from '../domain/factors/secret-sealer.js';

/**
 * Seals secrets as a compact JWE (dir + A256GCM) under a key derived from KITH_KEY_ENCRYPTION_KEY with
 * HKDF-SHA256. Each use passes its own `info` label, so a value sealed for one purpose (signing keys, TOTP
 * seeds) never opens under another's key. The context travels in the protected header as `kid`, which
 * A256GCM authenticates, and must match on open.
 */
export function createSecretSealer(encryptionSecret: string, info: string): SecretSealer {
  const key = new Uint8Array(hkdfSync('sha256', encryptionSecret, 'kith', info, 32));
  return {
    seal: (plaintext, context) => new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: context }).encrypt(key),
    async open(sealed, context) {
      const { plaintext, protectedHeader } = await compactDecrypt(sealed, key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      if (protectedHeader.kid !== context) throw new Error('sealed secret belongs to another context');
      return plaintext;
    },
  };
}
