import { dataOf, isObject, type Scenario, type Workload } from './scenarios.js';
import { BENCH_PASSWORD, benchEmail, passwordCustomerIndexes } from './seed-data.js';

/**
 * The two session scenarios. Neither has a twin on the bare node:http server; each asks what Kith adds
 * around the one costly thing the request must do:
 * - signin: a password sign-in is an argon2id verification plus Kith's work around it (rate-limit
 *   upserts, the customer and credential reads, the session insert, an EdDSA signature, GraphQL).
 *   Baseline: argon2id verify() calls alone, with Kith's default parameters (argon2-baseline.ts).
 * - authread: the purpose catalog read with a customer's access token (jose verifies the JWT once, the
 *   session is checked from the process's principal cache) against the same read with no token at all, sent to the same Kith
 *   process in the alternating runs: what authentication adds to a request.
 */

export const SIGNIN_MUTATION = 'mutation($input: SignInInput!) { signIn(input: $input) { accessToken expiresIn } }';
export const CATALOG_QUERY = '{ viewer { customerId } consentPurposes { key title version } }';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Sign-ins in flight while authread collects its tokens. */
const SIGN_IN_CONCURRENCY = 8;

/** A seeded customer with a password (seed-data.ts). */
interface PasswordCustomer {
  readonly id: string;
  readonly email: string;
}

const passwordCustomers = (ids: readonly string[]): PasswordCustomer[] =>
  passwordCustomerIndexes(ids.length).map((index) => ({ id: ids[index]!, email: benchEmail(index) }));

const signInBody = (email: string) => JSON.stringify({ query: SIGNIN_MUTATION, variables: { input: { email, password: BENCH_PASSWORD } } });

/** Why a signIn answer is wrong, or null when it carries an access token. */
function checkSignIn(body: unknown): string | null {
  const data = dataOf(body);
  if (typeof data === 'string') return data;
  const { signIn } = data;
  if (!isObject(signIn) || typeof signIn.accessToken !== 'string' || !JWT.test(signIn.accessToken)) return 'signIn returned no access token';
  if (typeof signIn.expiresIn !== 'number' || signIn.expiresIn <= 0) return 'signIn returned a wrong expiresIn';
  return null;
}

/**
 * Each seeded customer with a password signs in, in turn, with no Authorization header (as a login form
 * would). Every password is right, so the lockout never triggers; Kith's sign-in rate limits are raised
 * for the bench in run.ts, since every request comes from 127.0.0.1 and 200 emails.
 */
export function signInScenario(ids: readonly string[]): Scenario {
  const customers = passwordCustomers(ids);
  let turn = 0;
  return {
    name: 'signin',
    title: 'signIn vs bare argon2id verify',
    baseline: { kind: 'argon2', label: 'argon2id verify' },
    target: 0.85,
    next() {
      turn = (turn + 1) % customers.length;
      return { body: signInBody(customers[turn]!.email), authorization: null };
    },
    check: (body) => checkSignIn(body),
  };
}

/** Signs every customer in once, a few at a time: their `Bearer <accessToken>` headers, each to its customer id. */
async function signInAll(url: string, customers: readonly PasswordCustomer[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < customers.length) {
      const customer = customers[next++]!;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: signInBody(customer.email) });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        // Reported below as a wrong answer.
      }
      const problem = response.status === 200 ? checkSignIn(body) : `HTTP ${response.status}`;
      if (problem) throw new Error(`signing ${customer.email} in for authread: ${problem}\n  response: ${text.slice(0, 500)}`);
      const { accessToken } = (body as { data: { signIn: { accessToken: string } } }).data.signIn;
      tokens.set(`Bearer ${accessToken}`, customer.id);
    }
  };
  await Promise.all(Array.from({ length: SIGN_IN_CONCURRENCY }, worker));
  return tokens;
}

/** Why a catalog answer is wrong: the purposes must be there, and the viewer the one expected. */
function checkCatalog(body: unknown, customerId: string | null): string | null {
  const data = dataOf(body);
  if (typeof data === 'string') return data;
  if (!Array.isArray(data.consentPurposes) || data.consentPurposes.length === 0) return 'no consent purposes';
  if (!isObject(data.viewer) || data.viewer.customerId !== customerId) return `viewer is not ${customerId ?? 'the public'}`;
  return null;
}

/** The same catalog read with no Authorization header: the side authread is divided by. */
const publicCatalogRead: Workload = {
  next: () => ({ body: JSON.stringify({ query: CATALOG_QUERY }), authorization: null }),
  check: (body) => checkCatalog(body, null),
};

/**
 * The purpose catalog with the access token of each seeded customer with a password, in turn (the tokens
 * come from one sign-in each just before the scenario is measured), against the same read with no token
 * on the same Kith process.
 */
export function authReadScenario(ids: readonly string[]): Scenario {
  const customers = passwordCustomers(ids);
  const body = JSON.stringify({ query: CATALOG_QUERY });
  let customerOf = new Map<string, string>();
  let authorizations: string[] = [];
  let turn = 0;
  return {
    name: 'authread',
    title: 'catalog read with a token vs without',
    baseline: { kind: 'kith', label: 'no token', workload: publicCatalogRead },
    target: 0.85,
    async prepare(kithGraphqlUrl) {
      customerOf = await signInAll(kithGraphqlUrl, customers);
      authorizations = [...customerOf.keys()];
    },
    next() {
      if (authorizations.length === 0) throw new Error('authread: prepare() has not signed anyone in');
      turn = (turn + 1) % authorizations.length;
      return { body, authorization: authorizations[turn]! };
    },
    check: (response, request) => checkCatalog(response, customerOf.get(request.authorization ?? '') ?? 'an unknown customer'),
  };
}
