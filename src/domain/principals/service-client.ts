/**
 * What a service client may ask for. `customers:read` reads profiles (personal fields only of customers who
 * granted the client's purpose); `profiles:subscribe` follows the change log; `segments:read` and
 * `provisioning:write` are for segment queries and SCIM provisioning.
 */
export const scopes = ['customers:read', 'segments:read', 'profiles:subscribe', 'provisioning:write'] as const;
export type Scope = (typeof scopes)[number];

export const isScope = (value: string): value is Scope => (scopes as readonly string[]).includes(value);

/** A machine client of the OAuth 2.0 client-credentials grant (the secret only as a hash, in the store). */
export interface ServiceClient {
  id: string;
  /** The public identifier it authenticates with (client_id). */
  clientId: string;
  name: string;
  scopes: Scope[];
  /** The consent purpose personal data is released under; null releases no personal data. */
  purposeKey: string | null;
  /** Tokens issued at another version are refused: rotating the secret, disabling or narrowing bumps it. */
  tokenVersion: number;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Persistence of service clients. */
export interface ServiceClientStore {
  insert(client: ServiceClient, secretHash: string): Promise<void>;
  findById(id: string): Promise<ServiceClient | null>;
  /** By the client_id it authenticates with (checked on every request of its tokens). */
  findByClientId(clientId: string): Promise<ServiceClient | null>;
  /** The client and its secret hash, by the client_id it authenticates with. */
  findForAuthentication(clientId: string): Promise<{ client: ServiceClient; secretHash: string } | null>;
  list(): Promise<ServiceClient[]>;
  update(
    id: string,
    changes: Partial<Pick<ServiceClient, 'name' | 'scopes' | 'purposeKey' | 'disabledAt'>> & { secretHash?: string; bumpTokenVersion?: boolean },
    at: Date,
  ): Promise<ServiceClient | null>;
}

/** Makes and checks client secrets (node:crypto, in auth/). */
export interface ClientSecrets {
  /** A new client_id and secret. */
  generate(): { clientId: string; secret: string };
  /** A new secret only. */
  generateSecret(): string;
  hash(secret: string): string;
  /** Constant-time comparison of a presented secret with a stored hash. */
  matches(secret: string, hash: string): boolean;
}

/** Signs client-credentials access tokens (jose, in auth/). */
export interface ClientTokenIssuer {
  issue(claims: { clientId: string; scopes: readonly Scope[]; tokenVersion: number }): Promise<{ token: string; expiresIn: number }>;
}
