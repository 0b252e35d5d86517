import { createTransport } from 'nodemailer';
import type { RecoveryConfig } from '../config/config.js';
import type { RecoveryMailer } from '../domain/credentials/recovery-service.js';

/**
 * Recovery mail over SMTP with nodemailer (the maintained SMTP client: STARTTLS, smtps, authentication,
 * connection handling). Plain text: the code, or a link to the frontend's page with the code in the
 * fragment, which browsers send to no server and write to no access log.
 */
export function createRecoveryMailer(config: RecoveryConfig & { smtpUrl: string }): RecoveryMailer & { close(): void } {
  const transport = createTransport(config.smtpUrl);
  return {
    async send({ to, code, expiresAt }) {
      const until = `${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      const how = config.pageUrl
        ? `Open this link to choose a new password:\n\n${config.pageUrl}#code=${code}`
        : `Enter this recovery code where you asked for it:\n\n${code}`;
      await transport.sendMail({
        from: config.mailFrom,
        to,
        subject: 'Reset your password',
        text: `Someone asked to reset the password of the account with this address.\n\n${how}\n\nIt works once, until ${until}. If it was not you, ignore this mail: your password stays as it is.\n`,
      });
    },
    close: () => transport.close(),
  };
}
