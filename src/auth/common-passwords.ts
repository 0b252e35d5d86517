import zxcvbnCommon from '@zxcvbn-ts/language-common';
import { PASSWORD_MIN_LENGTH } from '../domain/credentials/password-policy.js';

/**
 * The most common passwords (zxcvbn-ts's list of ~49,000 from breach corpora), lower-cased. Only those
 * long enough to pass the length rule are kept: shorter ones are refused by length already.
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  const list = (zxcvbnCommon.dictionary as Record<string, string[]>)['passwords-common'] ?? [];
  if (list.length === 0) throw new Error('@zxcvbn-ts/language-common has no passwords-common dictionary');
  return new Set(list.filter((p) => p.length >= PASSWORD_MIN_LENGTH).map((p) => p.toLowerCase()));
}
