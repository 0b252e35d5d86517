import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, events, passkeys, recoveryCodes, sessions, totpFactors } from '../../src/store/tables/index.js';
import { startClockedKith, uniqueEmail } from '../support/kith.js';
import { changeEventsOnce } from '../support/change-log.js';
import { enrolTotp } from '../support/totp.js';
import { SoftwareAuthenticator } from '../support/webauthn-authenticator.js';
import { REGISTER } from './operations.js';

const PASSWORD = 'a passphrase for signing in';
const ORIGIN = 'http://localhost:4000';
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken } }`;
const EXPORT = `mutation { exportMyData { generatedAt document } }`;

let k: Awaited<ReturnType<typeof startClockedKith>>;
beforeAll(async () => {
  k = await startClockedKith();
});
afterAll(() => k.close());

const errorOf = (result: { errors?: { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions;

/** A registered customer with a profile, two consents, a visitor id and a fresh session. */
async function customer(givenName = 'Ada') {
  const email = uniqueEmail('export');
  const { register } = await k.ok(REGISTER, {
    input: {
      email,
      password: PASSWORD,
      attributes: [{ name: 'givenName', value: givenName }, { name: 'company', value: `${givenName}'s Engines` }],
      consents: ['marketing_email', 'analytics'],
      anonymousId: `ga1.${givenName}`,
    },
  });
  const { signIn } = await k.ok(SIGN_IN, { input: { email, password: PASSWORD } });
  return { email, id: register.customer.id as string, token: signIn.accessToken as string, refreshToken: signIn.refreshToken as string };
}

async function exported(token: string) {
  const { exportMyData } = await k.ok(EXPORT, {}, { token });
  return { ...exportMyData, text: exportMyData.document as string, document: JSON.parse(exportMyData.document) };
}

describe('exportMyData', () => {
  it('needs a recent step-up: STEP_UP_REQUIRED with the methods, then works after stepUp', async () => {
    const { refreshToken } = await customer();
    k.advance(601_000);
    const stale = (await k.ok(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: refreshToken })).refresh.accessToken;
    const refused = await k.gql(EXPORT, {}, { token: stale });
    expect(errorOf(refused)).toEqual({ code: 'STEP_UP_REQUIRED', methods: ['password'] });
    expect(refused.data).toBeNull();
    const { stepUp } = await k.ok(`mutation($p: String!) { stepUp(input: { password: $p }) { accessToken } }`, { p: PASSWORD }, { token: stale });
    expect((await exported(stepUp.accessToken)).document.format).toBe('kith.data-export.v1');
  });

  it('holds the profile, consents with their history, sessions, factors, passkeys and change log, and no secret', async () => {
    const { email, id, token } = await customer();
    await k.ok(`mutation($i: ConsentChangeInput!) { withdrawConsent(input: $i) { consent { status } } }`, { i: { customerId: id, purpose: 'marketing_email' } }, { token });
    const { sharedKey, recoveryCodes: codes, mfaToken } = await enrolTotp(k, token);
    const { stepUp } = await k.ok(`mutation($c: String!) { stepUp(input: { recoveryCode: $c }) { accessToken } }`, { c: codes[0] }, { token: mfaToken });
    const authenticator = new SoftwareAuthenticator();
    const { options } = (await k.ok(`mutation { startPasskeyRegistration { options } }`, {}, { token: stepUp.accessToken })).startPasskeyRegistration;
    await k.ok(`mutation($r: JSON!) { finishPasskeyRegistration(input: { response: $r, name: "Laptop" }) { id } }`, { r: authenticator.create(options, { origin: ORIGIN }) }, { token: stepUp.accessToken });

    const { generatedAt, text, document } = await exported(stepUp.accessToken);
    expect(Object.keys(document)).toEqual(['format', 'generatedAt', 'customer', 'password', 'consents', 'consentHistory', 'sessions', 'secondFactors', 'passkeys', 'scim', 'changeEvents']);
    expect(document.generatedAt).toBe(generatedAt);
    expect(document.customer).toMatchObject({
      id, status: 'REGISTERED', email, emailVerified: false, givenName: 'Ada', familyName: null, attributes: { company: "Ada's Engines" }, anonymousIds: ['ga1.Ada'],
    });
    expect(document.password).toEqual({ createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(document.consents.map((c: { purposeKey: string; status: string; source: string }) => [c.purposeKey, c.status, c.source])).toEqual([
      ['analytics', 'GRANTED', 'APP'],
      ['marketing_email', 'WITHDRAWN', 'APP'],
    ]);
    expect(document.consentHistory.filter((r: { purposeKey: string }) => r.purposeKey === 'marketing_email')).toEqual([
      { purposeKey: 'marketing_email', purposeVersion: 1, status: 'GRANTED', source: 'APP', actor: 'public', recordedAt: expect.any(String) },
      { purposeKey: 'marketing_email', purposeVersion: 1, status: 'WITHDRAWN', source: 'APP', actor: `customer:${id}`, recordedAt: expect.any(String) },
    ]);
    expect(document.sessions).toMatchObject({ total: 1, truncated: false, items: [{ ip: '127.0.0.1', acr: 'mfa', endedAt: null }] });
    expect(document.secondFactors).toEqual([
      { kind: 'totp', createdAt: expect.any(String), confirmedAt: expect.any(String), lastUsedAt: expect.any(String) },
      { kind: 'recovery_codes', createdAt: expect.any(String), total: 10, remaining: 9, lastUsedAt: expect.any(String) },
    ]);
    expect(document.passkeys).toHaveLength(1);
    expect(Object.keys(document.passkeys[0]).sort()).toEqual(['aaguid', 'backedUp', 'createdAt', 'deviceType', 'id', 'lastUsedAt', 'name', 'transports']);
    expect(document.passkeys[0].name).toBe('Laptop');
    expect(document.scim).toBeNull();
    const types = document.changeEvents.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['customer.created', 'customer.registered', 'consent.withdrawn']));
    expect(document.changeEvents.items.every((e: { changedFields: string[] }) => Array.isArray(e.changedFields))).toBe(true);

    // No credential material, in any form the database or the customer had it.
    const db = k.database.db;
    const secrets = [
      sharedKey,
      ...codes,
      ...(await db.select({ v: totpFactors.sealedSecret }).from(totpFactors).where(eq(totpFactors.customerId, id))).map((r) => r.v),
      ...(await db.select({ v: recoveryCodes.codeHash }).from(recoveryCodes).where(eq(recoveryCodes.customerId, id))).map((r) => r.v),
      ...(await db.select({ v: credentials.secretHash }).from(credentials).where(eq(credentials.customerId, id))).map((r) => r.v),
      ...(await db.select({ a: passkeys.publicKey, b: passkeys.credentialId }).from(passkeys).where(eq(passkeys.customerId, id))).flatMap((r) => [r.a, r.b]),
      ...(await db.select({ a: sessions.refreshHash, b: sessions.previousRefreshHash }).from(sessions).where(eq(sessions.customerId, id))).flatMap((r) => [r.a, r.b ?? 'none']),
    ];
    expect(secrets.length).toBeGreaterThan(15);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"(counter|publicKey|credentialId|secretHash|codeHash|sealedSecret|refreshHash)"/);

    // The export itself is in the change log.
    const last = (await changeEventsOnce(k, id, (log) => log.at(-1)?.type === 'customer.exported')).at(-1);
    expect(last).toMatchObject({ type: 'customer.exported', changedFields: [], actor: `customer:${id}` });
  });

  it("never holds another customer's data", async () => {
    const [ada, grace] = await Promise.all([customer('Ada'), customer('Grace')]);
    const graceSession = (await k.ok(`{ viewer { sessionId } }`, {}, { token: grace.token })).viewer.sessionId;
    const { text, document } = await exported(ada.token);
    expect(document.customer.id).toBe(ada.id);
    for (const foreign of [grace.id, grace.email, graceSession, 'Grace', 'ga1.Grace']) expect(text).not.toContain(foreign);
  });

  it('keeps the newest 1,000 change events and says how many there are', async () => {
    const { id, token } = await customer();
    const at = new Date();
    const filler = Array.from({ length: 1000 }, (_, i) => ({ customerId: id, type: 'customer.updated', changedFields: [`attributes.f${i}`], actor: 'system', occurredAt: at }));
    await k.database.db.insert(events).values(filler);
    const { document } = await exported(token);
    const { total, truncated, items } = document.changeEvents;
    expect(total).toBeGreaterThan(1000);
    expect({ truncated, length: items.length }).toEqual({ truncated: true, length: 1000 });
    expect(items.at(-1).changedFields).toEqual(['attributes.f999']);
    expect(items.some((e: { type: string }) => e.type === 'customer.created')).toBe(false);
  });

  it('is for signed-in customers only', async () => {
    expect(errorOf(await k.gql(EXPORT))?.code).toBe('UNAUTHENTICATED');
    expect(errorOf(await k.gql(EXPORT, {}, { as: 'admin' }))?.code).toBe('FORBIDDEN');
  });
});
