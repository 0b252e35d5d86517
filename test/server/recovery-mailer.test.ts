import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecoveryMailer, describeMailError } from '../../src/server/recovery-mailer.js';
import { startSmtpSink } from '../support/smtp-sink.js';

// A sink that offers no STARTTLS, on an address of this machine's loopback range that is not 127.0.0.1:
// to the mailer it is another machine.
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  sink = await startSmtpSink({ host: '127.0.0.2' });
});
afterAll(() => sink?.close());

const config = { mailFrom: 'Kith <no-reply@kith.test>', pageUrl: null, codeTtlSeconds: 1800, perIpPerMinute: 10, perEmailPerHour: 5 };

describe('the recovery mailer', () => {
  it('sends no code over smtp:// to another machine without STARTTLS, and logs the failure without the address', async () => {
    const mailer = createRecoveryMailer({ ...config, smtpUrl: sink.url });
    try {
      const to = 'someone.private@example.com';
      const error = await mailer.send({ to, code: 'c'.repeat(43), expiresAt: new Date() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const logged = JSON.stringify(describeMailError(error));
      expect(logged).not.toContain('someone.private');
      expect(logged).toContain('"name"');
      expect(sink.mails).toEqual([]);
    } finally {
      mailer.close();
    }
  });

  it('sends in clear only to this machine (127.0.0.1, localhost)', async () => {
    const local = await startSmtpSink();
    const mailer = createRecoveryMailer({ ...config, smtpUrl: local.url });
    try {
      await mailer.send({ to: 'someone@example.com', code: 'c'.repeat(43), expiresAt: new Date() });
      expect((await local.mailsTo('someone@example.com'))[0]!.text).toContain('c'.repeat(43));
    } finally {
      mailer.close();
      await local.close();
    }
  });
});
