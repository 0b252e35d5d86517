import { badInput } from '../errors.js';

// The WHATWG "valid email address" production, with at least one dot in the domain.
const LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Trims, checks and normalises an email address: the domain is lower-cased, the local part kept as typed.
 * Uniqueness is case-insensitive over the whole address (the store indexes lower(email)).
 */
export function normaliseEmail(raw: string, field = 'email'): string {
  const value = raw.trim();
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  const labels = domain.split('.');
  const valid =
    at > 0 &&
    value.length <= 254 &&
    local.length <= 64 &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label));
  if (!valid) throw badInput(`${field} is not a valid email address: expected local@domain.tld, at most 254 characters.`, field);
  return `${local}@${domain}`;
}
