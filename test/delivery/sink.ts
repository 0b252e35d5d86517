import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/connectors/webhook/signature.js';

/** What a webhook receiver got: the parsed body, whether its signature verified, and what it answered. */
export interface Received {
  key: string;
  type: string;
  customerId: string;
  fields: Record<string, unknown>;
  occurredAt: string;
  verified: boolean;
  headers: IncomingHttpHeaders;
  answered: number | 'hang';
}

/** The sink's answer to one request: a status (with headers), or `hang` to never answer (the client times out). */
export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

export interface Sink {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order; after them the sink answers 200. */
  script(...answers: Answer[]): void;
  /** Answers every request the same way until changed (null: back to the script, then 200). */
  always(answer: Answer | null): void;
  setSecret(secret: string): void;
  /** The deliveries the sink acknowledged with a 2xx, of one customer, in the order they arrived. */
  acked(customerId: string): Received[];
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 implementing Kith's documented format: it checks Kith-Signature. */
export async function startSink(secret: string): Promise<Sink> {
  let signingSecret = secret;
  const queue: Answer[] = [];
  let fixed: Answer | null = null;
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifyWebhook(signingSecret, body, String(request.headers['kith-signature'] ?? ''), new Date());
      const answer: Answer = !verified ? { status: 401 } : (fixed ?? queue.shift() ?? { status: 200 });
      const payload = JSON.parse(body) as Record<string, unknown>;
      received.push({
        key: String(request.headers['idempotency-key']),
        type: String(payload.type),
        customerId: String(payload.customerId),
        fields: (payload.fields ?? {}) as Record<string, unknown>,
        occurredAt: String(payload.occurredAt),
        verified,
        headers: request.headers,
        answered: answer === 'hang' ? 'hang' : answer.status,
      });
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/kith`,
    received,
    script: (...answers) => void queue.push(...answers),
    always: (answer) => void (fixed = answer),
    setSecret: (next) => void (signingSecret = next),
    acked: (customerId) => received.filter((r) => r.customerId === customerId && typeof r.answered === 'number' && r.answered < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
