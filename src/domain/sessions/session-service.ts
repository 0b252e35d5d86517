import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../credentials/credential-store.js';
import { normaliseEmail } from '../customers/email.js';
import { badInput, rateLimited, unauthenticated } from '../errors.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import type { UnitOfWork } from '../stores.js';
import { afterFailure, afterSuccess, isLocked, type LockoutPolicy } from './lockout.js';
import type { AccessTokenIssuer, RefreshTokenCodec, Session, SessionTokens } from './session.js';

export interface SignInCommand {
  email: string;
  password: string;
  userAgent?: string | null;
  ip?: string | null;
}

export interface SessionServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
  accessTokens: AccessTokenIssuer;
  refreshTokens: RefreshTokenCodec;
  lockout: LockoutPolicy;
  /** Sign-in attempts per client IP and per email, counted before anything is checked. */
  signInLimits: { perIp: AttemptLimiter; perAccount: AttemptLimiter };
}

/** One answer for every failed sign-in, so it tells nobody whether the email exists or is locked. */
const wrongCredentials = () => unauthenticated('The email or password is wrong, or the account is locked for a while.');
const invalidRefresh = () => unauthenticated('The refresh token is not valid: sign in again.');

export type SessionService = ReturnType<typeof createSessionService>;

/**
 * Password sign-in with lockout, rotating refresh tokens with reuse detection (OAuth 2.0 Security BCP),
 * and sign-out. Every failure costs the same work: an unknown email is verified against a dummy hash.
 */
export function createSessionService(deps: SessionServiceDeps) {
  const { uow, clock } = deps;
  let dummyHash: Promise<string> | null = null;
  const dummy = () => (dummyHash ??= deps.hasher.hash(`kith-dummy-${deps.newId()}`));

  async function open(customerId: string, at: Date, meta: { userAgent: string | null; ip: string | null }): Promise<SessionTokens> {
    const session: Session = {
      id: deps.newId(),
      customerId,
      createdAt: at,
      lastUsedAt: at,
      authTime: at,
      acr: 'pwd',
      amr: ['pwd'],
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ip: meta.ip ?? null,
      revokedAt: null,
    };
    const refreshToken = deps.refreshTokens.generate();
    await uow.read.sessions.create(session, deps.refreshTokens.hash(refreshToken));
    return { ...(await issue(session)), refreshToken, session };
  }

  async function issue(session: Session): Promise<{ accessToken: string; expiresIn: number }> {
    const { token, expiresIn } = await deps.accessTokens.issue({
      customerId: session.customerId,
      sessionId: session.id,
      authTime: session.authTime,
      acr: session.acr,
      amr: session.amr,
    });
    return { accessToken: token, expiresIn };
  }

  return {
    async signIn(command: SignInCommand): Promise<SessionTokens> {
      if (command.password.length === 0 || command.password.length > 1024) throw badInput('password must have 1 to 1024 characters.', 'password');
      const email = normaliseEmail(command.email);
      // Every attempt counts, whatever it turns out to be, so guessing across accounts or from many
      // requests hits a shared limit before any password is checked.
      const waits = await Promise.all([
        command.ip ? deps.signInLimits.perIp.consume(command.ip) : null,
        deps.signInLimits.perAccount.consume(email.toLowerCase()),
      ]);
      const wait = Math.max(...waits.map((w) => w ?? 0));
      if (wait > 0) throw rateLimited(`Too many sign-in attempts: try again in ${wait} seconds.`, wait);
      const password = command.password.normalize('NFKC');
      const [customer] = await uow.read.customers.findByEmail(email);
      const state = customer?.status === 'REGISTERED' ? await uow.read.credentials.lockPassword(customer.id) : null;
      const now = clock.now();
      if (!customer || !state || isLocked(state, now)) {
        await deps.hasher.verify(await dummy(), password);
        throw wrongCredentials();
      }
      if (!(await deps.hasher.verify(state.hash, password))) {
        await uow.transaction(async (tx) => {
          const locked = await tx.credentials.lockPassword(customer.id);
          if (locked) await tx.credentials.saveLockout(customer.id, afterFailure(locked, deps.lockout, clock.now()));
        });
        throw wrongCredentials();
      }
      if (state.failedAttempts > 0 || state.lockouts > 0) await uow.read.credentials.saveLockout(customer.id, afterSuccess());
      return open(customer.id, now, { userAgent: command.userAgent ?? null, ip: command.ip ?? null });
    },

    /** Rotates the refresh token; a rotated token presented again revokes the whole session. */
    async refresh(refreshToken: string): Promise<SessionTokens> {
      if (refreshToken.length === 0 || refreshToken.length > 200) throw invalidRefresh();
      const hash = deps.refreshTokens.hash(refreshToken);
      const next = deps.refreshTokens.generate();
      const result = await uow.transaction(async (tx) => {
        const found = await tx.sessions.lockByRefreshHash(hash);
        if (!found || found.session.revokedAt) return null;
        const at = clock.now();
        if (!found.current) {
          await tx.sessions.revoke(found.session.id, 'refresh_token_reuse', at);
          return 'reused' as const;
        }
        await tx.sessions.rotate(found.session.id, hash, deps.refreshTokens.hash(next), at);
        return found.session;
      });
      if (result === null || result === 'reused') throw invalidRefresh();
      const active = await uow.read.sessions.findActive(result.id);
      if (!active) throw invalidRefresh();
      return { ...(await issue(active)), refreshToken: next, session: active };
    },

    async signOut(sessionId: string): Promise<void> {
      await uow.read.sessions.revoke(sessionId, 'signed_out', clock.now());
    },

    /** Active sessions of these customers, newest first (for the graph's loader). */
    listActive: (customerIds: readonly string[]) => uow.read.sessions.listActive(customerIds),

    /** Ends one of the customer's sessions; false when it is not theirs or already ended. */
    async revokeOwn(customerId: string, sessionId: string): Promise<boolean> {
      const own = (await uow.read.sessions.listActive([customerId])).some((s) => s.id === sessionId);
      if (own) await uow.read.sessions.revoke(sessionId, 'revoked', clock.now());
      return own;
    },

    /** Ends every other session of the customer; returns how many. */
    revokeOthers: (customerId: string, keepSessionId: string) =>
      uow.read.sessions.revokeAllOf(customerId, 'revoked_others', clock.now(), keepSessionId),

    /** The session behind an access token, if it is still active: revocation takes effect at once. */
    findActive: (sessionId: string) => uow.read.sessions.findActive(sessionId),
  };
}
