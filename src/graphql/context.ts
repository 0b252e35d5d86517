import type { Viewer } from '../auth/viewer.js';
import type { Actor } from '../domain/actor.js';
import type { Services } from '../domain/services.js';
import type { Loaders } from './loaders.js';

/** Everything a resolver may use; built once per request. */
export interface GraphQLContext {
  viewer: Viewer;
  actor: Actor;
  services: Services;
  loaders: Loaders;
  /** Where the request came from, for the sessions it opens. */
  request: { ip: string | null; userAgent: string | null };
  /** Set by signIn and refresh: the customer this request just authenticated. */
  signedInAs?: string;
  /** Set by staffSignIn: the staff member this request just authenticated. */
  staffSignedInAs?: string;
  /** KITH_STAFF_MFA=required and a staff token without a TOTP proof: its member, served as the public (auth/viewer.ts). */
  staffWithoutTotp?: string;
}
