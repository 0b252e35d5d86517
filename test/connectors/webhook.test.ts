import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorConfigError } from '../../src/connectors/connector.js';
import { webhookKind } from '../../src/connectors/webhook/index.js';

describe('the webhook kind', () => {
  it('refuses plain http except to this host, and credentials in the URL', () => {
    for (const url of ['http://169.254.169.254/latest', 'http://hooks.example.com/kith', 'ftp://example.com/', 'https://user:pw@hooks.example.com/']) {
      expect(() => webhookKind.parseSettings({ url }), url).toThrow(ConnectorConfigError);
    }
    expect(webhookKind.parseSettings({ url: 'https://hooks.example.com/kith?team=7' })).toEqual({ url: 'https://hooks.example.com/kith?team=7' });
    expect(webhookKind.parseSettings({ url: 'http://127.0.0.1:8080/hook' })).toEqual({ url: 'http://127.0.0.1:8080/hook' });
  });

  describe('against a receiver that redirects', () => {
    const hits: string[] = [];
    const server = createServer((request, response) => {
      hits.push(request.url ?? '');
      request.resume();
      if (request.url === '/hook') response.writeHead(307, { location: '/internal/secret' }).end();
      else response.writeHead(200).end();
    });
    let base = '';
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => void server.close());

    it('does not follow the redirect: the delivery fails for good, and nothing reaches the other address', async () => {
      const client = webhookKind.create({
        settings: webhookKind.parseSettings({ url: `${base}/hook` }),
        secrets: webhookKind.parseSecrets({ signingSecret: 'a webhook signing secret' }),
        fetch,
        now: () => new Date(),
        timeoutMs: 1_000,
      });
      const [outcome] = await client.deliver([
        { idempotencyKey: 'c:1', customerId: 'c', action: 'upsert', fields: { email: 'ada@example.com' }, email: 'ada@example.com', occurredAt: new Date() },
      ]);
      expect(outcome).toEqual({ ok: false, retryable: false, error: 'HTTP 307' });
      expect(hits).toEqual(['/hook']);
    });
  });
});
