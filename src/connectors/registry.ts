import type { ConnectorKind } from './connector.js';
import { webhookKind } from './webhook/index.js';

/** Every connector kind the engine can deliver through, by its `kind` name. Add a kind here. */
export const connectorKinds: ReadonlyMap<string, ConnectorKind> = new Map<string, ConnectorKind>(
  [webhookKind as ConnectorKind].map((kind) => [kind.kind, kind]),
);
