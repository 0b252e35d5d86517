import { ConnectorConfigError, type ConnectorKind } from '../connectors/connector.js';
import type { Clock } from '../domain/clock.js';
import type { ConnectorTargets } from '../domain/delivery/targets.js';
import { badInput } from '../domain/errors.js';

/** Runs a kind's config guard, turning its ConnectorConfigError into BAD_USER_INPUT with the field. */
function guarded<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConnectorConfigError) throw badInput(error.message, error.field);
    throw error;
  }
}

/**
 * A signal that aborts when either does. AbortSignal.any holds its sources weakly (Node 20), and an
 * AbortSignal.timeout() signal lives only while something holds it: with nothing else listening, a garbage
 * collection takes the timeout away and a request to a target that never answers waits forever, holding the
 * delivery pass. A listener keeps the request's own signal alive until it aborts (for a timeout: at most the
 * timeout), as fetch's own listener does when it is handed the signal directly.
 */
function either(own: AbortSignal, stop: AbortSignal): AbortSignal {
  own.addEventListener('abort', keepAlive, { once: true });
  return AbortSignal.any([own, stop]);
}

const keepAlive = () => undefined;

/** The connector registry as the delivery engine's port: real fetch, the clock, the timeout. */
export function createConnectorTargets(deps: { kinds: ReadonlyMap<string, ConnectorKind>; clock: Clock; timeoutMs: number }): ConnectorTargets {
  const kindOf = (name: string): ConnectorKind => {
    const kind = deps.kinds.get(name);
    if (!kind) throw badInput(`kind must be one of ${[...deps.kinds.keys()].join(', ')}.`, 'kind');
    return kind;
  };
  return {
    has: (name) => deps.kinds.has(name),
    kinds: () => [...deps.kinds.keys()],
    maxBatch: (name) => Math.max(1, kindOf(name).maxBatch),
    defaultFieldMapping: (name) => kindOf(name).defaultFieldMapping,
    checkSettings: (name, settings) => void guarded(() => kindOf(name).parseSettings(settings)),
    checkSecrets: (name, secrets) => void guarded(() => kindOf(name).parseSecrets(secrets)),
    client(name, settings, secrets, signal) {
      const kind = kindOf(name);
      // A stopping process ends its requests at once; the kind's own timeout still applies.
      const stoppable: typeof fetch = signal ? (input, init) => fetch(input, { ...init, signal: init?.signal ? either(init.signal, signal) : signal }) : fetch;
      return kind.create({
        settings: guarded(() => kind.parseSettings(settings)),
        secrets: guarded(() => kind.parseSecrets(secrets)),
        fetch: stoppable,
        now: () => deps.clock.now(),
        timeoutMs: deps.timeoutMs,
      });
    },
  };
}
