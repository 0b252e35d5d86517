import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { type GraphQLSchema, isObjectType } from 'graphql';
import { allow } from 'graphql-shield';
import { applyMiddleware } from 'graphql-middleware';
import { permissionMap, permissions, shieldOptions } from '../auth/permissions.js';
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
import { privacyResolvers } from './resolvers/privacy.js';
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
  privacyResolvers,
];

/** The executable schema without authorization (tests inspect it); use buildSchema to serve. */
export function buildUnguardedSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [{ DateTime, EmailAddress, AttributeScalar, JSON: JSONScalar }, ...areas] as never,
  });
}

/** The rule the permission map gives a field: its own, its type's wildcard, its type's, or the fallback. */
export function ruleOf(typeName: string, fieldName: string): unknown {
  const entry = (permissionMap as Record<string, unknown>)[typeName];
  if (entry === undefined) return shieldOptions.fallbackRule;
  if (!isPlainFieldMap(entry)) return entry;
  return entry[fieldName] ?? entry['*'] ?? shieldOptions.fallbackRule;
}

function isPlainFieldMap(entry: unknown): entry is Record<string, unknown> {
  return typeof entry === 'object' && entry !== null && Object.getPrototypeOf(entry) === Object.prototype;
}

/**
 * The served schema: every field behind graphql-shield, except that a field whose rule is `allow` keeps
 * its own resolver. Shield would call that rule, which cannot refuse, through an async wrapper on every
 * resolution of the field (every consent of every customer on a page); the answer is the same without it.
 */
export function buildSchema(): GraphQLSchema {
  return guard(buildUnguardedSchema());
}

/** Puts an unguarded schema (buildUnguardedSchema) behind the permission map, as buildSchema does. */
export function guard(unguarded: GraphQLSchema): GraphQLSchema {
  const guarded = applyMiddleware(unguarded, permissions);
  for (const type of Object.values(guarded.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const original = unguarded.getType(type.name);
    if (!isObjectType(original)) continue;
    for (const field of Object.values(type.getFields())) {
      if (ruleOf(type.name, field.name) === allow) field.resolve = original.getFields()[field.name]?.resolve;
    }
  }
  return guarded;
}
