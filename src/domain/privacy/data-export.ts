import { type Actor, actorLabel } from '../actor.js';
import type { Clock } from '../clock.js';
import type { Consent, ConsentRecord } from '../consents/consent.js';
import type { Customer } from '../customers/customer.js';
import { conflict } from '../errors.js';
import type { ChangeEvent } from '../events/change-event.js';
import { KITH_TOTP } from '../factors/totp-rules.js';
import type { Passkey } from '../passkeys/passkey.js';
import type { ScimRecord } from '../scim/user-resource.js';
import type { Authentication, StepUpGuard } from '../sessions/step-up.js';
import type { UnitOfWork } from '../stores.js';
import type { FactorRecords, Newest, SessionRecord } from './personal-data-store.js';

/** The format name and version every export document starts with; a change of shape gets a new version. */
export const EXPORT_FORMAT = 'kith.data-export.v1';

/** The lists that can grow without bound keep their newest entries: enough for a person to read, and bounded. */
export const EXPORT_LIMITS = { sessions: 1000, changeEvents: 1000 } as const;

/** Everything the export reads, before it becomes the document. */
export interface ExportSources {
  customer: Customer;
  password: { createdAt: Date; updatedAt: Date } | null;
  consents: readonly Consent[];
  consentHistory: readonly ConsentRecord[];
  sessions: Newest<SessionRecord>;
  factors: FactorRecords;
  passkeys: readonly Passkey[];
  scim: ScimRecord | null;
  changeEvents: Newest<ChangeEvent>;
}

const iso = (at: Date | null) => (at === null ? null : at.toISOString());

/** A capped list as the document spells it: how many there are, whether some were left out, the newest ones. */
function capped<T, R>(list: Newest<T>, shape: (item: T) => R) {
  return { total: list.total, truncated: list.total > list.items.length, items: list.items.map(shape) };
}

/**
 * The export document (format kith.data-export.v1, described field by field in schema/privacy.graphql): plain
 * JSON values, keys in a fixed order, times as ISO 8601 UTC strings, every list oldest first. It holds no
 * credential material: no password hash, TOTP seed, recovery code or its hash, passkey public key, credential
 * id or signature counter, refresh token or its hash.
 */
export function exportDocument(sources: ExportSources, generatedAt: Date) {
  const { customer, factors } = sources;
  const periodMs = KITH_TOTP.periodSeconds * 1000;
  const secondFactors = [];
  if (factors.totp) {
    const { createdAt, confirmedAt, lastStep } = factors.totp;
    secondFactors.push({ kind: 'totp', createdAt: iso(createdAt), confirmedAt: iso(confirmedAt), lastUsedAt: lastStep === null ? null : iso(new Date(lastStep * periodMs)) });
  }
  if (factors.recoveryCodes) {
    const { createdAt, total, remaining, lastUsedAt } = factors.recoveryCodes;
    secondFactors.push({ kind: 'recovery_codes', createdAt: iso(createdAt), total, remaining, lastUsedAt: iso(lastUsedAt) });
  }
  return {
    format: EXPORT_FORMAT,
    generatedAt: generatedAt.toISOString(),
    customer: {
      id: customer.id,
      status: customer.status,
      email: customer.email,
      emailVerified: customer.emailVerified,
      givenName: customer.givenName,
      familyName: customer.familyName,
      phoneNumber: customer.phoneNumber,
      phoneNumberVerified: customer.phoneNumberVerified,
      locale: customer.locale,
      attributes: customer.attributes,
      anonymousIds: customer.anonymousIds,
      createdAt: iso(customer.createdAt),
      updatedAt: iso(customer.updatedAt),
      version: customer.version,
    },
    password: sources.password && { createdAt: iso(sources.password.createdAt), updatedAt: iso(sources.password.updatedAt) },
    consents: sources.consents.map((c) => ({
      purposeKey: c.purpose.key,
      purposeTitle: c.purpose.title,
      purposeVersion: c.purposeVersion,
      status: c.status,
      source: c.source,
      grantedAt: iso(c.grantedAt),
      withdrawnAt: iso(c.withdrawnAt),
      updatedAt: iso(c.updatedAt),
    })),
    consentHistory: sources.consentHistory.map((r) => ({
      purposeKey: r.purposeKey,
      purposeVersion: r.purposeVersion,
      status: r.status,
      source: r.source,
      actor: r.actor,
      recordedAt: iso(r.recordedAt),
    })),
    sessions: capped(sources.sessions, (s) => ({
      id: s.id,
      createdAt: iso(s.createdAt),
      lastUsedAt: iso(s.lastUsedAt),
      authenticatedAt: iso(s.authTime),
      acr: s.acr,
      authenticationMethods: s.amr,
      userAgent: s.userAgent,
      ip: s.ip,
      endedAt: iso(s.revokedAt),
      endReason: s.revokeReason,
    })),
    secondFactors,
    passkeys: sources.passkeys.map((p) => ({
      id: p.id,
      name: p.name,
      createdAt: iso(p.createdAt),
      lastUsedAt: iso(p.lastUsedAt),
      deviceType: p.deviceType,
      backedUp: p.backedUp,
      transports: p.transports,
      aaguid: p.aaguid,
    })),
    scim: sources.scim && { userName: sources.scim.userName, externalId: sources.scim.externalId, attributes: sources.scim.document },
    changeEvents: capped(sources.changeEvents, (e) => ({ type: e.type, changedFields: e.changedFields, actor: e.actor, occurredAt: iso(e.occurredAt) })),
  };
}

export type ExportDocument = ReturnType<typeof exportDocument>;

export type DataExport = ReturnType<typeof createDataExport>;

/** The customer's copy of their data (GDPR art. 15 and 20): a sensitive action, recorded in the change log. */
export function createDataExport(deps: { uow: UnitOfWork; clock: Clock; stepUp: StepUpGuard }) {
  const { uow, clock } = deps;
  return {
    /**
     * Reads everything Kith holds about the signed-in customer in one transaction on one snapshot, so the
     * parts agree even while the customer or others write, and appends a customer.exported event to it.
     * Needs a recent step-up.
     */
    async exportOwn(auth: Authentication, actor: Actor): Promise<{ generatedAt: Date; document: ExportDocument }> {
      await deps.stepUp.require(auth);
      const id = auth.customerId;
      return uow.transaction(async (tx) => {
        const [customer] = await tx.customers.findByIds([id]);
        if (!customer || customer.status === 'DELETED') throw conflict('This account was deleted.');
        const [password, consents, consentHistory, sessions, factors, passkeys, scim, changeEvents] = await Promise.all([
          tx.personalData.passwordOf(id),
          tx.consents.findCurrent([id]),
          tx.consents.findHistory([id]),
          tx.personalData.sessionsOf(id, EXPORT_LIMITS.sessions),
          tx.personalData.factorsOf(id),
          tx.passkeys.listOf(id),
          tx.scimUsers.findByCustomerIds([id]).then((records) => records[0] ?? null),
          tx.personalData.eventsOf(id, EXPORT_LIMITS.changeEvents),
        ]);
        const generatedAt = clock.now();
        await tx.events.append([{ customerId: id, type: 'customer.exported', changedFields: [], actor: actorLabel(actor), occurredAt: generatedAt }]);
        const sources = { customer, password, consents, consentHistory, sessions, factors, passkeys, scim, changeEvents };
        return { generatedAt, document: exportDocument(sources, generatedAt) };
      }, { snapshot: true });
    },
  };
}
