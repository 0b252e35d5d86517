import type { HttpScenarioName } from './bench-options.js';
import { captureScenario, floorScenario, graphScenario, pointScenario, type Scenario, scimCreateScenario } from './scenarios.js';
import { authReadScenario, signInScenario } from './session-scenarios.js';

/** Every scenario by name, given the ids of the seeded customers. */
export function createScenario(name: HttpScenarioName, ids: readonly string[]): Scenario {
  switch (name) {
    case 'floor':
      return floorScenario();
    case 'point':
      return pointScenario(ids);
    case 'graph':
      return graphScenario();
    case 'capture':
      return captureScenario();
    case 'signin':
      return signInScenario(ids);
    case 'authread':
      return authReadScenario(ids);
    case 'scim':
      return scimCreateScenario();
    default: {
      const unreachable: never = name;
      throw new Error(`unknown scenario ${String(unreachable)}`);
    }
  }
}
