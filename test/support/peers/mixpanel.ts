import { hasMediaType, INVALID_JSON, isObject, startPeer, type Peer, type PeerReply, type PeerRequest } from './peer-server.js';

/**
 * A Mixpanel ingestion peer for user profiles: `POST /engage` with a JSON array of updates ($set, $unset,
 * $delete and the other documented operations), each carrying the project `$token`. Like Mixpanel it
 * answers 200 with `{ status: 0, error }` (or `0` without verbose) when it refuses a batch, applying
 * none of it; an unknown token is a 401, a rate limit a 429 `{ code, error, status }`.
 */
export interface MixpanelPeer extends Peer {
  profile(distinctId: string): Readonly<Record<string, unknown>> | undefined;
}

const OPERATIONS = ['$set', '$set_once', '$add', '$union', '$append', '$remove', '$unset', '$delete'];

export async function startMixpanelPeer(options: { token: string }): Promise<MixpanelPeer> {
  const profiles = new Map<string, Record<string, unknown>>();

  function apply(update: Record<string, unknown>): void {
    const id = update.$distinct_id as string;
    if ('$delete' in update) profiles.delete(id);
    else if ('$set' in update) profiles.set(id, { ...profiles.get(id), ...(update.$set as object) });
    else if ('$unset' in update) {
      const profile = profiles.get(id);
      for (const name of update.$unset as string[]) if (profile) delete profile[name];
    }
  }

  function handle(request: PeerRequest): PeerReply {
    if (request.method !== 'POST' || request.path !== '/engage') return { status: 404, body: { error: 'Not found', status: 0 } };
    const verbose = request.query.get('verbose') === '1';
    const refuse = (error: string): PeerReply => ({ status: 200, body: verbose ? { status: 0, error } : 0 });
    // Mixpanel also takes form-encoded `data=`; this peer implements the JSON form the connector sends.
    if (!hasMediaType(request, 'application/json')) return refuse('data, the body must be application/json');
    const updates = request.body;
    if (updates === INVALID_JSON || !Array.isArray(updates)) return refuse('data, not a JSON array of profile updates');
    if (updates.length === 0 || updates.length > 2000) return refuse('data, must hold between 1 and 2000 updates');
    for (const update of updates) {
      if (!isObject(update)) return refuse('data, every update must be an object');
      if (update.$token !== options.token) return { status: 401, body: { error: 'Invalid project token', status: 0 } };
      const problem = updateProblem(update);
      if (problem) return refuse(problem);
    }
    updates.forEach((update) => apply(update as Record<string, unknown>));
    return { status: 200, body: verbose ? { status: 1, error: null } : 1 };
  }

  const peer = await startPeer(handle, (status, message) =>
    status === 200 ? { status, body: { status: 0, error: message } } : { status, body: { code: status, error: message, status: status === 429 ? 'Too Many Requests' : 'Error' } },
  );
  return { ...peer, profile: (distinctId) => profiles.get(distinctId) };
}

function updateProblem(update: Record<string, unknown>): string | undefined {
  if (typeof update.$distinct_id !== 'string' || update.$distinct_id === '') return '$distinct_id, missing or empty';
  const ops = Object.keys(update).filter((key) => OPERATIONS.includes(key));
  if (ops.length !== 1) return `an update needs exactly one operation, got ${ops.length}`;
  if ('$set' in update) {
    if (!isObject(update.$set)) return '$set, must be an object';
    const long = Object.keys(update.$set).find((name) => name === '' || name.length > 255);
    if (long !== undefined) return `$set, property name must be 1 to 255 characters: ${long.slice(0, 20)}...`;
  }
  if ('$unset' in update && (!Array.isArray(update.$unset) || !update.$unset.every((n) => typeof n === 'string'))) {
    return '$unset, must be a list of property names';
  }
  return undefined;
}
