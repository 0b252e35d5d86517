import { ConnectorConfigError } from '../connector.js';

/**
 * Small readers for a connector's raw settings and secrets (JSON from an administrator): each names the
 * offending key (`settings.baseUrl`, `secrets.accessToken`) in the ConnectorConfigError it throws.
 */
export type ConfigPart = 'settings' | 'secrets';

/** The raw value as a plain object; `undefined`/`null` count as `{}` so defaults can apply. */
export function configObject(raw: unknown, part: ConfigPart): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConnectorConfigError(`${part} must be an object`, part);
  return raw as Record<string, unknown>;
}

/** A non-empty string (trimmed); `fallback` when absent, an error when absent without one. */
export function requiredString(obj: Record<string, unknown>, part: ConfigPart, key: string, fallback?: string): string {
  const value = obj[key];
  if (value === undefined || value === null || value === '') {
    if (fallback !== undefined) return fallback;
    throw new ConnectorConfigError(`${part}.${key} is required`, `${part}.${key}`);
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConnectorConfigError(`${part}.${key} must be a non-empty string`, `${part}.${key}`);
  }
  return value.trim();
}

/** A string matching `pattern` (described by `shape` in the error). */
export function patternString(
  obj: Record<string, unknown>,
  part: ConfigPart,
  key: string,
  pattern: RegExp,
  shape: string,
  fallback?: string,
): string {
  const value = requiredString(obj, part, key, fallback);
  if (!pattern.test(value)) throw new ConnectorConfigError(`${part}.${key} must be ${shape}`, `${part}.${key}`);
  return value;
}

/** Hosts that may be reached over plain http (a local proxy or test peer); any other host needs https. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * An https URL (http only to a loopback host, so tokens never cross a network in clear) without
 * credentials, query or fragment, returned without its trailing slash.
 */
export function baseUrl(obj: Record<string, unknown>, part: ConfigPart, key: string, fallback?: string): string {
  const value = requiredString(obj, part, key, fallback);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConnectorConfigError(`${part}.${key} must be an absolute https URL`, `${part}.${key}`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!secure || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new ConnectorConfigError(
      `${part}.${key} must be an https URL (http only to localhost) without credentials, query or fragment`,
      `${part}.${key}`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

/** One of the listed values (`fallback` when absent). */
export function oneOf<T extends string>(obj: Record<string, unknown>, part: ConfigPart, key: string, values: readonly T[], fallback?: T): T {
  const value = requiredString(obj, part, key, fallback);
  if (!(values as readonly string[]).includes(value)) {
    throw new ConnectorConfigError(`${part}.${key} must be one of ${values.join(', ')}`, `${part}.${key}`);
  }
  return value as T;
}
