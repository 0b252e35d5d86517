import { checkId } from '../../domain/input-bounds.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';

export const connectorResolvers: Resolvers = {
  Query: {
    connectors: (_, __, { services }) => services.connectors.list(),
    connector: (_, { id }, { services }) => services.connectors.findById(checkId(id, 'id')),
  },
  Mutation: {
    createConnector: (_, { input }, { services }) =>
      services.connectors.create({
        kind: input.kind,
        name: input.name,
        purposeKey: input.purpose,
        fieldMapping: input.fieldMapping,
        settings: input.settings,
        secrets: input.secrets,
        maxAttempts: input.maxAttempts,
        enabled: input.enabled,
      }),
    updateConnector: (_, { input }, { services }) =>
      services.connectors.update(checkId(input.id, 'id'), {
        name: input.name,
        purposeKey: input.purpose,
        clearPurpose: input.clearPurpose ?? false,
        fieldMapping: input.fieldMapping,
        settings: input.settings,
        secrets: input.secrets,
        maxAttempts: input.maxAttempts,
      }),
    setConnectorEnabled: (_, { id, enabled }, { services }) => services.connectors.setEnabled(checkId(id, 'id'), enabled),
    testConnector: async (_, { id }, { services }) => {
      const outcome = await services.connectors.test(checkId(id, 'id'));
      return outcome.ok ? { ok: true } : { ok: false, retryable: outcome.retryable, error: outcome.error };
    },
    replayDeadLetters: (_, { id }, { services }) => services.connectors.replayDeadLetters(checkId(id, 'id')),
  },
  Connector: {
    fieldMapping: (connector) => Object.entries(connector.fieldMapping).map(([from, to]) => ({ from, to })),
    purpose: async (connector, _, { services }) =>
      connector.purposeKey === null ? null : ((await services.catalog.listPurposes()).find((p) => p.key === connector.purposeKey) ?? null),
    health: (connector, _, { services }) => services.connectors.health(connector),
  },
};
