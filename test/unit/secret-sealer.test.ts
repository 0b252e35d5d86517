import { describe, expect, it } from 'vitest';
import { recoveryCodeCodec } from '../../src/auth/recovery-codes.js';
import { createSecretSealer } from '../../src/auth/secret-sealer.js';
import { newRecoveryCodes, normaliseRecoveryCode } from '../../src/domain/factors/recovery-code-rules.js';

const SECRET = 'a-key-encryption-key-of-at-least-32-characters';
const bytes = new TextEncoder().encode('twenty bytes of seed');

describe('the secret sealer', () => {
  it('opens what it sealed, for the same context only', async () => {
    const sealer = createSecretSealer(SECRET, 'kith totp-secret encryption v1');
    const sealed = await sealer.seal(bytes, 'totp:a');
    expect(sealed.split('.')).toHaveLength(5);
    expect(sealed).not.toContain(Buffer.from(bytes).toString('base64url'));
    expect(await sealer.open(sealed, 'totp:a')).toEqual(bytes);
    await expect(sealer.open(sealed, 'totp:b')).rejects.toThrow();
  });

  it('derives a different key for each purpose and each encryption secret', async () => {
    const sealed = await createSecretSealer(SECRET, 'kith totp-secret encryption v1').seal(bytes, 'x');
    await expect(createSecretSealer(SECRET, 'kith signing-key encryption v1').open(sealed, 'x')).rejects.toThrow();
    await expect(createSecretSealer(`${SECRET}!`, 'kith totp-secret encryption v1').open(sealed, 'x')).rejects.toThrow();
  });
});

describe('recovery codes', () => {
  it('are ten distinct xxxxx-xxxxx base32 codes, hashed in their normalised form', () => {
    const { codes, hashes } = newRecoveryCodes(recoveryCodeCodec);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect(hashes).toEqual(codes.map((code) => recoveryCodeCodec.hash(code.replace('-', ''))));
    expect(hashes.some((hash, i) => hash.includes(codes[i]!.replace('-', '')))).toBe(false);
  });

  it('ignore case, dashes and spaces as typed, and refuse anything else', () => {
    expect(normaliseRecoveryCode(' ABCDE - 23456 ')).toBe('abcde23456');
    expect(normaliseRecoveryCode('abcde23456')).toBe('abcde23456');
    for (const bad of ['abcde-2345', 'abcde-234567', 'abcde-23450', 'abcde_23456', '']) expect(normaliseRecoveryCode(bad)).toBeNull();
  });
});
