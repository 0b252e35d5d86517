import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the sink received, parsed as a mail client would. */
export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
}

/** An SMTP server on 127.0.0.1 (smtp-server) that keeps every mail it is sent. */
export async function startSmtpSink(options: { host?: string } = {}) {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to.flatMap((a) => a.value) : (mail.to?.value ?? []);
          mails.push({ to: to.map((a) => a.address ?? '').join(','), from: mail.from?.text ?? '', subject: mail.subject ?? '', text: mail.text ?? '' });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${options.host ?? '127.0.0.1'}:${port}`,
    mails,
    /** The mails to `address`, once at least `count` have come (the mail leaves after the answer). */
    async mailsTo(address: string, count = 1): Promise<ReceivedMail[]> {
      for (let waited = 0; waited < 5_000; waited += 20) {
        const found = mails.filter((m) => m.to === address.toLowerCase());
        if (found.length >= count) return found;
        await sleep(20);
      }
      throw new Error(`no mail to ${address} within 5 s`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
