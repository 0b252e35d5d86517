import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from './context.js';

/**
 * A request refused by a rate limit answers HTTP 429 with Retry-After, as HTTP clients and proxies expect,
 * besides the RATE_LIMITED code and retryAfter in the GraphQL error.
 */
export function rateLimitStatusPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const limited = response.body.singleResult.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
          if (!limited) return;
          response.http.status = 429;
          response.http.headers.set('retry-after', String(limited.extensions?.retryAfter ?? 60));
        },
      };
    },
  };
}
