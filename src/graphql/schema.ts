import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { permissions } from '../auth/permissions.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { catalogResolvers } from './resolvers/catalog.js';
import { consentResolvers } from './resolvers/consent.js';
import { customerResolvers } from './resolvers/customer.js';
import { eventResolvers } from './resolvers/event.js';
import { principalResolvers } from './resolvers/principal.js';
import { factorResolvers } from './resolvers/factor.js';
import { sessionResolvers } from './resolvers/session.js';
import { stepUpResolvers } from './resolvers/step-up.js';
import { passkeyResolvers } from './resolvers/passkey.js';
import { connectorResolvers } from './resolvers/connector.js';
import { AttributeScalar, DateTime, EmailAddress, JSONScalar } from './scalars.js';

const schemaDir = fileURLToPath(new URL('../../schema', import.meta.url));

/** The SDL of schema/, one file per area, in a stable order. */
export function loadTypeDefs(): string[] {
  return readdirSync(schemaDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(`${schemaDir}/${file}`, 'utf8'));
}

const areas: Resolvers[] = [
  sessionResolvers,
  stepUpResolvers,
  principalResolvers,
  factorResolvers,
  passkeyResolvers,
  catalogResolvers,
  customerResolvers,
  consentResolvers,
  eventResolvers,
  connectorResolvers,
];

/** The executable schema without authorization (tests inspect it); use buildSchema to serve. */
export function buildUnguardedSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [{ DateTime, EmailAddress, AttributeScalar, JSON: JSONScalar }, ...areas] as never,
  });
}

/** The served schema: every field behind graphql-shield. */
export function buildSchema(): GraphQLSchema {
  return applyMiddleware(buildUnguardedSchema(), permissions);
}
