import type { FastifyInstance } from 'fastify';
import type { SigningKeys } from '../auth/signing-keys.js';
import { JWKS_MAX_AGE_SECONDS, SIGNING_ALG } from '../auth/signing-keys.js';
import type { Config } from '../config/config.js';
import { scopes } from '../domain/principals/service-client.js';

/**
 * What apps need to verify Kith's tokens themselves: the public keys, and discovery metadata (OpenID Connect
 * Discovery 1.0, also served as RFC 8414 authorization server metadata). Kith issues access tokens through
 * its GraphQL sign-in and the client-credentials grant; it has no authorization endpoint, so no response
 * types are offered.
 */
export function registerWellKnown(app: FastifyInstance, config: Config, signingKeys: SigningKeys): void {
  // A retired key stays until its tokens expire; a rotated-in one is here before it signs.
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    void reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    return signingKeys.jwks();
  });
  const metadata = Object.freeze({
    issuer: config.issuer,
    jwks_uri: `${config.issuer}/.well-known/jwks.json`,
    token_endpoint: `${config.issuer}/oauth/token`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...scopes],
    response_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALG],
    access_token_signing_alg_values_supported: [SIGNING_ALG],
    acr_values_supported: ['pwd', 'mfa'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'sid', 'auth_time', 'acr', 'amr', 'client_id', 'scope'],
  });
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    app.get(path, async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return metadata;
    });
  }
}
