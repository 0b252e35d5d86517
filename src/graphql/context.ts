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
}
