import { GraphQLError, GraphQLScalarType, Kind, type ValueNode, valueFromASTUntyped } from 'graphql';
import { normaliseEmail } from '../domain/customers/email.js';
import { DomainError } from '../domain/errors.js';

const invalid = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

// ISO 8601 with a time and an explicit offset; Date.parse alone would accept loose forms.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  const year = typeof value === 'string' ? Number(value.slice(0, 4)) : 0;
  // PostgreSQL's timestamps start at year 1; year 0 would parse here and fail in the database.
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value)) || year < 1) {
    throw invalid('DateTime must be an ISO 8601 string with a time zone, such as 2026-11-24T20:15:00Z.');
  }
  return new Date(value);
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    throw new TypeError('DateTime can only serialize Date values');
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseEmail(value: unknown): string {
  if (typeof value !== 'string') throw invalid('EmailAddress must be a string.');
  try {
    return normaliseEmail(value, 'EmailAddress');
  } catch (error) {
    if (error instanceof DomainError) throw invalid(error.message);
    throw error;
  }
}

export const EmailAddress = new GraphQLScalarType<string, string>({
  name: 'EmailAddress',
  serialize: (value) => String(value),
  parseValue: parseEmail,
  parseLiteral: (ast) => parseEmail(ast.kind === Kind.STRING ? ast.value : undefined),
});

type Attribute = string | number | boolean;

function parseAttribute(value: unknown): Attribute {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw invalid('AttributeScalar must be a string, a number or a boolean.');
}

function literalAttribute(ast: ValueNode): Attribute {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return parseAttribute(Number(ast.value));
    default:
      throw invalid('AttributeScalar must be a string, a number or a boolean.');
  }
}

export const AttributeScalar = new GraphQLScalarType<Attribute, Attribute>({
  name: 'AttributeScalar',
  serialize: parseAttribute,
  parseValue: parseAttribute,
  parseLiteral: literalAttribute,
});

/** JSON objects a client sends (WebAuthn responses): bounded well below the body limit. */
const JSON_MAX_BYTES = 64 * 1024;

function parseJsonObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('JSON must be an object.');
  if (Buffer.byteLength(JSON.stringify(value)) > JSON_MAX_BYTES) throw invalid(`JSON must be at most ${JSON_MAX_BYTES} bytes.`);
  return value as Record<string, unknown>;
}

export const JSONScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSON',
  serialize: parseJsonObject,
  parseValue: parseJsonObject,
  parseLiteral: (ast, variables) => {
    if (ast.kind !== Kind.OBJECT) throw invalid('JSON must be an object.');
    return parseJsonObject(valueFromASTUntyped(ast, variables));
  },
});
