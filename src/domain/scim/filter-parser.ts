import { invalidFilter, invalidPath, type ScimError } from './scim-error.js';

/**
 * A recursive-descent parser for RFC 7644 section 3.4.2.2 filters (Figure 1's ABNF) and PATCH paths
 * (section 3.5.2). Precedence, highest first: grouping and `not (...)`, then `and`, then `or`. Operators,
 * `and`, `or`, `not` and literals are case-insensitive. The result names attributes as written; filter.ts
 * resolves them against the schema.
 */

export const compareOps = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOp = (typeof compareOps)[number];
export type FilterValue = string | number | boolean | null;

/** An attribute path as written: `[URI ":"] ATTRNAME ["." subAttr]`. */
export interface RawPath {
  uri: string | null;
  name: string;
  sub: string | null;
}

export type RawFilter =
  | { kind: 'and' | 'or'; left: RawFilter; right: RawFilter }
  | { kind: 'not'; filter: RawFilter }
  | { kind: 'present'; path: RawPath }
  | { kind: 'compare'; path: RawPath; op: CompareOp; value: FilterValue }
  | { kind: 'valuePath'; path: RawPath; filter: RawFilter };

type Token = { kind: 'word'; text: string; at: number } | { kind: 'string'; value: string; at: number } | { kind: '(' | ')' | '[' | ']'; at: number };

const MAX_LENGTH = 4096;
const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function tokenize(text: string, fail: (detail: string) => ScimError): Token[] {
  if (text.length > MAX_LENGTH) throw fail(`The expression is longer than ${MAX_LENGTH} characters.`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, at: i });
      i += 1;
    } else if (c === '"') {
      // A JSON string (RFC 7159): find the closing quote past escapes, then let JSON.parse check it.
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) throw fail(`The string starting at character ${i + 1} is not closed.`);
      let value: string;
      try {
        value = JSON.parse(text.slice(i, end + 1)) as string;
      } catch {
        throw fail(`The string starting at character ${i + 1} is not a valid JSON string.`);
      }
      // PostgreSQL text cannot hold U+0000: refuse it here rather than fail in the database.
      if (value.includes('\u0000')) throw fail(`The string starting at character ${i + 1} contains a NUL character.`);
      tokens.push({ kind: 'string', value, at: i });
      i = end + 1;
    } else {
      const match = /^[^\s()[\]"]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: match[0], at: i });
      i += match[0].length;
    }
  }
  return tokens;
}

/** Splits `urn:...:User:name.givenName` or `name.givenName` into URI, name and sub-attribute. */
export function parseAttrPath(text: string, fail: (detail: string) => ScimError): RawPath {
  let uri: string | null = null;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((part) => ATTR_NAME.test(part))) throw fail(`"${text}" is not an attribute path.`);
  return { uri, name: parts[0]!, sub: parts[1] ?? null };
}

/** Bounds on one expression: how deep parentheses nest and how many conditions it holds. */
export const FILTER_LIMITS = { depth: 16, conditions: 64 } as const;

class Parser {
  private index = 0;
  private depth = 0;
  private conditions = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly fail: (detail: string) => ScimError,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toLowerCase() === word;
  }

  private where(token: Token | undefined): string {
    return token ? `at character ${token.at + 1}` : 'at the end';
  }

  private expect(kind: ')' | ']' | '(' | '['): void {
    const token = this.peek();
    if (token?.kind !== kind) throw this.fail(`Expected "${kind}" ${this.where(token)}.`);
    this.index += 1;
  }

  get done(): boolean {
    return this.index >= this.tokens.length;
  }

  next(): Token | undefined {
    const token = this.peek();
    this.index += 1;
    return token;
  }

  /** FILTER = or-expression. `inBrackets` forbids a nested value path (RFC 7644: valFilter has none). */
  parseOr(inBrackets: boolean): RawFilter {
    let left = this.parseAnd(inBrackets);
    while (this.keyword('or')) {
      this.index += 1;
      left = { kind: 'or', left, right: this.parseAnd(inBrackets) };
    }
    return left;
  }

  private parseAnd(inBrackets: boolean): RawFilter {
    let left = this.parseUnary(inBrackets);
    while (this.keyword('and')) {
      this.index += 1;
      left = { kind: 'and', left, right: this.parseUnary(inBrackets) };
    }
    return left;
  }

  private parseUnary(inBrackets: boolean): RawFilter {
    const token = this.peek();
    if (this.keyword('not')) {
      this.index += 1;
      if (this.peek()?.kind !== '(') throw this.fail(`"not" must be followed by a parenthesised filter ${this.where(this.peek())}.`);
      return { kind: 'not', filter: this.parseGroup(inBrackets) };
    }
    if (token?.kind === '(') return this.parseGroup(inBrackets);
    if (token?.kind !== 'word') throw this.fail(`Expected an attribute path ${this.where(token)}.`);
    this.index += 1;
    const path = parseAttrPath(token.text, this.fail);
    if (this.peek()?.kind === '[') {
      if (inBrackets) throw this.fail(`Value filters cannot be nested (${this.where(this.peek())}).`);
      if (path.sub !== null) throw this.fail(`A value filter applies to an attribute, not to the sub-attribute "${token.text}".`);
      this.index += 1;
      const filter = this.parseOr(true);
      this.expect(']');
      return { kind: 'valuePath', path, filter };
    }
    return this.parseComparison(path);
  }

  private parseGroup(inBrackets: boolean): RawFilter {
    this.expect('(');
    this.depth += 1;
    if (this.depth > FILTER_LIMITS.depth) throw this.fail(`Parentheses nest deeper than ${FILTER_LIMITS.depth} levels.`);
    const filter = this.parseOr(inBrackets);
    this.depth -= 1;
    this.expect(')');
    return filter;
  }

  private parseComparison(path: RawPath): RawFilter {
    this.conditions += 1;
    if (this.conditions > FILTER_LIMITS.conditions) throw this.fail(`The expression has more than ${FILTER_LIMITS.conditions} conditions.`);
    const operator = this.next();
    if (operator?.kind !== 'word') throw this.fail(`Expected an operator after the attribute path ${this.where(operator)}.`);
    const op = operator.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!(compareOps as readonly string[]).includes(op)) throw this.fail(`"${operator.text}" is not a filter operator (eq ne co sw ew gt ge lt le pr).`);
    const literal = this.next();
    return { kind: 'compare', path, op: op as CompareOp, value: this.literal(literal) };
  }

  private literal(token: Token | undefined): FilterValue {
    if (token?.kind === 'string') return token.value;
    if (token?.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
      if (NUMBER.test(token.text)) return Number(token.text);
    }
    throw this.fail(`Expected a value (a JSON string, number, true, false or null) ${this.where(token)}.`);
  }
}

/** Parses a filter expression; a malformed one is invalidFilter. */
export function parseFilter(text: string): RawFilter {
  const tokens = tokenize(text, invalidFilter);
  if (tokens.length === 0) throw invalidFilter('The filter is empty.');
  const parser = new Parser(tokens, invalidFilter);
  const filter = parser.parseOr(false);
  if (!parser.done) throw invalidFilter(`Unexpected text at character ${parser.next()!.at + 1}.`);
  return filter;
}

/** A PATCH path (RFC 7644 section 3.5.2): `attrPath`, or `valuePath` with an optional `.subAttr`. */
export interface RawPatchPath {
  path: RawPath;
  filter: RawFilter | null;
  /** The sub-attribute after a value filter: `emails[type eq "work"].value`. */
  subAfterFilter: string | null;
}

/** Parses a PATCH operation's path; a malformed one is invalidPath. */
export function parsePatchPath(text: string): RawPatchPath {
  const tokens = tokenize(text, invalidPath);
  const first = tokens[0];
  if (first?.kind !== 'word') throw invalidPath(`"${text}" is not a PATCH path.`);
  const path = parseAttrPath(first.text, invalidPath);
  if (tokens.length === 1) return { path, filter: null, subAfterFilter: null };
  if (tokens[1]!.kind !== '[' || path.sub !== null) throw invalidPath(`"${text}" is not a PATCH path.`);
  const closing = tokens.findIndex((token) => token.kind === ']');
  if (closing < 0) throw invalidPath(`The value filter in "${text}" is not closed.`);
  const parser = new Parser(tokens.slice(2, closing), invalidPath);
  const filter = parser.parseOr(true);
  if (!parser.done) throw invalidPath(`Unexpected text in the value filter of "${text}".`);
  const after = tokens.slice(closing + 1);
  if (after.length === 0) return { path, filter, subAfterFilter: null };
  const sub = after[0]!;
  if (after.length > 1 || sub.kind !== 'word' || !/^\.[A-Za-z$][A-Za-z0-9_$-]*$/.test(sub.text)) {
    throw invalidPath(`"${text}" may only have ".subAttribute" after its value filter.`);
  }
  return { path, filter, subAfterFilter: sub.text.slice(1) };
}
