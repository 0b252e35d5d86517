import { createTransport } from 'nodemailer';
import pLimit from 'p-limit';
import type { RecoveryConfig } from '../config/config.js';
import type { RecoveryMailer } from '../domain/credentials/recovery-service.js';

/** Mails a process sends at once; more wait their turn, so a burst of requests opens no burst of connections. */
const SENDING_AT_ONCE = 4;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A moment as mail shows it: 2026-12-06 14:30 UTC. */
const utc = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * Recovery mail over SMTP with nodemailer (the maintained SMTP client: STARTTLS, smtps, authentication,
 * connection handling). Over smtp:// to any host but this machine, TLS is required (STARTTLS, or no mail):
 * the code is a bearer credential, and a server whose STARTTLS offer was stripped on the way would
 * otherwise receive it, and the SMTP password, in clear. Plain text: the code, or a link to the frontend's
 * page with the code in the fragment, which browsers send to no server and write to no access log.
 */
export function createRecoveryMailer(config: RecoveryConfig & { smtpUrl: string }): RecoveryMailer & { close(): void } {
  const url = new URL(config.smtpUrl);
  const transport = createTransport({ url: config.smtpUrl, requireTLS: url.protocol === 'smtp:' && !LOOPBACK.has(url.hostname) });
  const limit = pLimit(SENDING_AT_ONCE);
  return {
    send: ({ to, code, expiresAt }) =>
      limit(async () => {
        const how = config.pageUrl
          ? `Open this link to choose a new password:\n\n${config.pageUrl}#code=${code}`
          : `Enter this recovery code where you asked for it:\n\n${code}`;
        await transport.sendMail({
          from: config.mailFrom,
          to,
          subject: 'Reset your password',
          text: `Someone asked to reset the password of the account with this address.\n\n${how}\n\nIt works once, until ${utc(expiresAt)}. If it was not you, ignore this mail: your password stays as it is.\n`,
        });
      }),
    sendPasswordChanged: ({ to, at }) =>
      limit(async () => {
        await transport.sendMail({
          from: config.mailFrom,
          to,
          subject: 'Your password was changed',
          text: `The password of the account with this address was set with a recovery code on ${utc(at)}, and every session of the account was ended.\n\nIf it was not you, someone who can read this mailbox has the account: ask for a new recovery code now, and secure this mailbox.\n`,
        });
      }),
    close: () => transport.close(),
  };
}

/**
 * What may be logged of a failed recovery: nodemailer's errors carry the recipient and the server's
 * answer (which quotes the address), so only their codes and the SMTP command go to the log.
 */
export function describeMailError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: 'non-error thrown' };
  const { code, responseCode, command, cause } = error as Error & { code?: unknown; responseCode?: unknown; command?: unknown; cause?: unknown };
  // A failed statement: its driver's SQLSTATE, never its message (which quotes the parameters).
  const driver = cause instanceof Error ? { causeName: cause.name, causeCode: (cause as Error & { code?: unknown }).code } : {};
  return { name: error.name, code, responseCode, command, ...driver };
}
