import { rateLimited } from '../errors.js';

/** Counts attempts per key in a window shared by every process; the store implements it. */
export interface AttemptLimiter {
  /** Counts one attempt: null while within the limit, otherwise the seconds until the next is allowed. */
  consume(key: string): Promise<number | null>;
}

/** IPv6 prefixes that carry an IPv4 address in their last 32 bits: mapped, compatible, NAT64 (RFC 6052). */
const EMBEDS_IPV4 = /^(?:::ffff:|::|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/i;
const NAT64_HEX = /^64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/**
 * The key an address is limited under. An IPv6 client usually holds a whole /64 and can pick any address in
 * it, so IPv6 addresses count per /64 prefix; IPv4 per address, including IPv4 carried in IPv6 (mapped,
 * compatible or NAT64, so a NAT64 gateway does not put every IPv4 client in one bucket). A port some
 * proxies append is dropped.
 */
export function clientKeyOf(raw: string): string {
  const ip = raw.replace(/^\[([^\]]+)\](?::\d+)?$/, '$1').replace(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/, '$1');
  const embedded = EMBEDS_IPV4.exec(ip);
  if (embedded) return embedded[1]!;
  const nat64 = NAT64_HEX.exec(ip);
  if (nat64) {
    const [high, low] = [Number.parseInt(nat64[1]!, 16), Number.parseInt(nat64[2]!, 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g || '0', 16) || 0).toString(16))
    .join(':')}::/64`;
}

/** A per-address limiter's entry for consumeAttempts: keyed by clientKeyOf, skipped when the address is unknown. */
export const perClient = (limiter: AttemptLimiter, ip: string | null | undefined): { limiter: AttemptLimiter; key: string | null } => ({
  limiter,
  key: ip ? clientKeyOf(ip) : null,
});

/**
 * Counts one attempt against every limiter (null keys are skipped) and waits for all of them; RATE_LIMITED
 * when any is exhausted. `what` names the attempts in the message, such as "sign-in".
 */
export async function consumeAttempts(what: string, keys: { limiter: AttemptLimiter; key: string | null }[]): Promise<void> {
  const waits = await Promise.all(keys.map(({ limiter, key }) => (key ? limiter.consume(key) : null)));
  const wait = Math.max(...waits.map((w) => w ?? 0));
  if (wait > 0) throw rateLimited(`Too many ${what} attempts: try again in ${wait} seconds.`, wait);
}

/** The per-account limiter's key for a signed-in customer: password and second-factor step-ups share it. */
export const accountAttemptKey = (customerId: string): string => `customer:${customerId}`;
