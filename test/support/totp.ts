import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import type { TestKith } from './kith.js';

/** The code an authenticator app shows for this key at `ms` (the server's time). */
export const totpCode = (sharedKey: string, ms: number) => TOTP.generate({ secret: Secret.fromBase32(sharedKey), timestamp: ms });

/**
 * A clocked Kith's time as its test tracks it (set once from a token's iat, then moved with the server), and
 * codes as an authenticator app shows them at that time: the code `steps` periods on, and a 6-digit code
 * that is none of the codes of the window around now.
 */
export function totpApp(moveServer: () => { advance(ms: number): void }) {
  let serverMs = 0;
  const codeOf = (sharedKey: string, steps = 0) => totpCode(sharedKey, serverMs + steps * 30_000);
  function wrongCodeOf(sharedKey: string): string {
    const near = new Set([-1, 0, 1].map((steps) => codeOf(sharedKey, steps)));
    for (let n = 0; ; n += 1) {
      const code = String(n).padStart(6, '0');
      if (!near.has(code)) return code;
    }
  }
  return {
    codeOf,
    wrongCodeOf,
    now: () => serverMs,
    setNow: (ms: number) => void (serverMs = ms),
    advance(ms: number): void {
      moveServer().advance(ms);
      serverMs += ms;
    },
  };
}

/** The server's time when it issued this token: a clocked Kith's time moves only when its test moves it. */
export const issuedAtMs = (token: string) => (decodeJwt(token).iat as number) * 1000;

/**
 * Enrols and confirms a TOTP for the signed-in customer of `token`, issued by a clocked Kith whose time has not
 * moved since (so it needs no step-up, and its iat tells the server's time): the key, the recovery codes, and
 * the access token the confirmation stepped up to acr `mfa`.
 */
export async function enrolTotp(k: Pick<TestKith, 'ok'>, token: string) {
  const { sharedKey } = (await k.ok(`mutation { enrollTotp { sharedKey } }`, {}, { token })).enrollTotp;
  const { confirmTotp } = await k.ok(
    `mutation($code: String!) { confirmTotp(code: $code) { recoveryCodes stepUp { accessToken } } }`,
    { code: totpCode(sharedKey, issuedAtMs(token)) },
    { token },
  );
  return { sharedKey: sharedKey as string, recoveryCodes: confirmTotp.recoveryCodes as string[], mfaToken: confirmTotp.stepUp.accessToken as string };
}
