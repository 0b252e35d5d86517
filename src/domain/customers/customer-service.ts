import { type Actor, actorLabel, isAdministrator } from '../actor.js';
import type { AttributeInput } from '../catalog/attribute-input.js';
import { validateAttributeInputs } from '../catalog/attribute-input.js';
import type { Clock } from '../clock.js';
import type { AttributeValue } from '../catalog/attribute.js';
import type { ConsentPurpose, ConsentRecord, ConsentSource } from '../consents/consent.js';
import { planConsents, recordStep, requirePurposes } from '../consents/consent-rules.js';
import type { PasswordHasher } from '../credentials/credential-store.js';
import type { PasswordPolicy } from '../credentials/password-policy.js';
import { conflict, forbidden, notFound } from '../errors.js';
import type { NewChangeEvent } from '../events/change-event.js';
import { bounds, checkAnonymousId, checkListSize } from '../input-bounds.js';
import type { Stores, UnitOfWork } from '../stores.js';
import { type Customer, type CustomerStatus, newCustomer } from './customer.js';
import { normaliseEmail } from './email.js';
import { type AttemptLimiter, consumeAttempts, perClient } from '../sessions/attempt-limiter.js';
import { type MergeMode, planProfileChanges } from './profile.js';
import { enabledStatus, endAccess } from './status.js';

export interface CaptureCommand {
  email: string;
  attributes?: readonly AttributeInput[] | null;
  anonymousId?: string | null;
  consents?: readonly string[] | null;
  consentSource?: ConsentSource | null;
  /**
   * The caller's address (null when unknown): captures by the public and by customers count against a
   * per-IP limit. Required, so no caller of capture forgets it and skips the limit unawares.
   */
  ip: string | null;
}

export interface RegisterCommand {
  email: string;
  password: string;
  attributes?: readonly AttributeInput[] | null;
  anonymousId?: string | null;
  consents?: readonly string[] | null;
  /** The caller's address: registrations count against a per-IP limit (each costs a hash). */
  ip?: string | null;
}

export interface UpdateProfileCommand {
  customerId: string;
  attributes: readonly AttributeInput[];
  expectedVersion?: number | null;
}

export interface CustomerServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  hasher: PasswordHasher;
  passwordPolicy: PasswordPolicy;
  /** Registrations per client IP. */
  registrationsPerIp: AttemptLimiter;
  /** Captures per client IP, of callers who answer for nothing they write (the public, customers). */
  capturesPerIp: AttemptLimiter;
}

export type CustomerService = ReturnType<typeof createCustomerService>;

/** Capture, registration and profile changes: each one transaction that also appends its change events. */
export function createCustomerService(deps: CustomerServiceDeps) {
  const { uow, clock } = deps;

  function assertActive(customer: Customer): void {
    if (customer.status === 'DISABLED') throw conflict('This account is disabled.', 'email');
    if (customer.status === 'DELETED') throw conflict('This account was deleted.', 'email');
  }

  /** Registration may only upgrade an active light account. */
  function refuseRegistration(existing: Customer): void {
    assertActive(existing);
    if (existing.status === 'REGISTERED') {
      throw conflict('An account with this email is already registered: sign in or recover the password.', 'email');
    }
  }

  /** Checks a step's attributes and purposes against the catalog, before any transaction is opened. */
  async function validateStep(attributes: CaptureCommand['attributes'], consentKeys: readonly string[]) {
    const catalog = await uow.read.catalog.snapshot();
    const values = validateAttributeInputs(catalog.attributes, attributes, { allowRemoval: false });
    const purposes = requirePurposes(catalog.purposes, consentKeys, 'consents');
    return { values, purposes };
  }

  /** What a journey step writes. */
  interface JourneyStep {
    email: string;
    /** Status of a new customer; an existing one is moved to it only when `upgradeExisting` is set. */
    status: CustomerStatus;
    upgradeExisting: boolean;
    values: ReadonlyMap<string, AttributeValue | null>;
    purposes: readonly ConsentPurpose[];
    anonymousId: string | null;
    consentSource: ConsentSource;
    mergeMode: (existing: Customer) => MergeMode;
    onExisting: (existing: Customer) => void;
    extraChangedFields: string[];
    actor: Actor;
  }

  type StepResult = { customer: Customer; created: boolean; events: NewChangeEvent[]; consentChanges: ConsentRecord[] };

  /** A new customer made by the step, with the events and consent changes of its creation. */
  function planCreation(step: JourneyStep): StepResult {
    const at = clock.now();
    const actor = actorLabel(step.actor);
    const blank = newCustomer({ id: deps.newId(), email: step.email, status: step.status, at });
    const initial = planProfileChanges(blank, step.values, 'merge', step.anonymousId);
    const customer = { ...blank, ...initial.changes };
    const fields = ['email', 'status', ...initial.changedFields, ...step.extraChangedFields];
    const created: NewChangeEvent = { customerId: customer.id, type: 'customer.created', changedFields: fields, actor, occurredAt: at };
    const consents = planConsents([], { status: 'GRANTED', source: step.consentSource, actor, at, purposes: step.purposes, customerId: customer.id });
    return { customer, created: true, events: [created, ...consents.events], consentChanges: consents.changes };
  }

  /**
   * The shared body of capture and register: create the customer with its values, or merge them into the
   * existing one under its row lock; record consents; return the events to append. Concurrent writers of
   * the same new email serialise on the unique index: one inserts, the other finds the row and merges.
   */
  async function writeJourneyStep(tx: Stores, step: JourneyStep, creation: StepResult = planCreation(step)): Promise<StepResult> {
    // Insert first: a new email costs one statement, an existing one falls through to the locked merge.
    // The holder of the email may be erased (its email cleared) between the conflict and the lock: then the
    // address is free again, and the insert is tried anew.
    let existing: Customer | null = null;
    for (let attempt = 1; existing === null; attempt += 1) {
      const inserted = await tx.customers.insertIfAbsent(creation.customer);
      if (inserted) return { ...creation, customer: inserted };
      existing = await tx.customers.lockByEmail(step.email);
      if (existing === null && attempt === 3) throw new Error('the email was taken and freed three times in a row');
    }
    const at = clock.now();
    const actor = actorLabel(step.actor);
    const grant = { status: 'GRANTED' as const, source: step.consentSource, actor, at };

    step.onExisting(existing);
    // Anyone can type any email into a public form, so into an existing account a form may add only what
    // cannot hurt its owner: no visitor ids on a registered account, and no consent at all. A consent grant
    // would release the account's data to every client of that purpose, so grants from a form reach only the
    // account the form creates (registration, which takes the account over, may add purposes never decided
    // on). Only administrators are trusted here: an agent, a customer or a client capturing is a form too.
    const anonymous = !isAdministrator(step.actor);
    const ownedByItsOwner = anonymous && existing.status === 'REGISTERED';
    const anonymousId = ownedByItsOwner ? null : step.anonymousId;
    const plan = planProfileChanges(existing, step.values, step.mergeMode(existing), anonymousId);
    const fields = [...plan.changedFields];
    if (step.upgradeExisting && existing.status !== step.status) {
      plan.changes.status = step.status;
      fields.push('status', ...step.extraChangedFields);
    }
    const current = step.purposes.length > 0 ? await tx.consents.findCurrent([existing.id]) : [];
    const purposes = !anonymous
      ? step.purposes
      : ownedByItsOwner || !step.upgradeExisting
        ? []
        : step.purposes.filter((purpose) => !current.some((c) => c.purpose.key === purpose.key));
    const consents = planConsents(current, { ...grant, purposes, customerId: existing.id });
    if (fields.length === 0 && consents.events.length === 0) return { customer: existing, created: false, events: [], consentChanges: [] };
    const updated = await tx.customers.update(existing.id, existing.version, plan.changes, at);
    if (!updated) throw new Error('locked customer changed under its lock');
    const events: NewChangeEvent[] =
      fields.length > 0 ? [{ customerId: existing.id, type: 'customer.updated', changedFields: fields, actor, occurredAt: at }] : [];
    return { customer: updated, created: false, events: [...events, ...consents.events], consentChanges: consents.changes };
  }

  return {
    /** Captures a light account; idempotent per email. See planProfileChanges for how values merge. */
    async capture(command: CaptureCommand, actor: Actor): Promise<{ customer: Customer; created: boolean }> {
      const email = normaliseEmail(command.email);
      const consentKeys = checkListSize(command.consents, bounds.consentsPerRequest, 'consents');
      const anonymousId = command.anonymousId == null ? null : checkAnonymousId(command.anonymousId);
      const consentSource = command.consentSource ?? 'FORM';
      if (!isAdministrator(actor) && consentSource !== 'FORM') {
        throw forbidden('A capture records consents from a FORM; other sources are for administrators.');
      }
      const { values, purposes } = await validateStep(command.attributes, consentKeys);
      // A well-formed capture from a form counts before anything is looked up or written; staff and service
      // clients are known by their credentials and limited by who may hold them.
      if (actor.kind === 'public' || actor.kind === 'customer') {
        await consumeAttempts('capture', [perClient(deps.capturesPerIp, command.ip)]);
      }
      const step: JourneyStep = {
        email,
        status: 'LIGHT',
        // Capture never changes status: a registered customer stays registered.
        upgradeExisting: false,
        values,
        purposes,
        anonymousId,
        consentSource,
        // A registered profile belongs to its owner: an anonymous form only fills what is missing.
        mergeMode: (existing) => (existing.status === 'REGISTERED' ? 'fill' : 'merge'),
        onExisting: assertActive,
        extraChangedFields: [],
        actor,
      };
      // A new email is one statement; a known one is merged in a transaction under the customer's row lock.
      const creation = planCreation(step);
      if (await uow.read.customers.insertWithStep(creation.customer, creation.consentChanges, creation.events)) {
        return { customer: creation.customer, created: true };
      }
      return uow.transaction(async (tx) => {
        // The creation planned above was not written: the transaction tries it again before it merges.
        const result = await writeJourneyStep(tx, step, creation);
        await recordStep(tx, result.consentChanges, result.events);
        return { customer: result.customer, created: result.created };
      });
    },

    /** Self-registration: upgrades the light account with the same email, or creates a registered one. */
    async register(command: RegisterCommand, actor: Actor): Promise<{ customer: Customer; created: boolean }> {
      const email = normaliseEmail(command.email);
      deps.passwordPolicy.check(command.password, { email });
      const consentKeys = checkListSize(command.consents, bounds.consentsPerRequest, 'consents');
      const anonymousId = command.anonymousId == null ? null : checkAnonymousId(command.anonymousId);
      const { values, purposes } = await validateStep(command.attributes, consentKeys);
      // Every well-formed registration counts, a taken email included, before any lookup or hash.
      await consumeAttempts('registration', [perClient(deps.registrationsPerIp, command.ip)]);
      // Refuse a taken email before paying for a hash (the transaction checks again under the lock).
      const [known] = await uow.read.customers.findByEmail(email);
      if (known) refuseRegistration(known);
      // Hash before the transaction: argon2 takes tens of milliseconds and must not hold a row lock.
      // NIST SP 800-63B: normalise (NFKC) before hashing, so any Unicode form of the password matches.
      const passwordHash = await deps.hasher.hash(command.password.normalize('NFKC'));
      return uow.transaction(async (tx) => {
        const label = actorLabel(actor);
        const result = await writeJourneyStep(tx, {
          email,
          status: 'REGISTERED',
          upgradeExisting: true,
          values,
          purposes,
          anonymousId,
          consentSource: 'APP',
          mergeMode: () => 'merge',
          onExisting: refuseRegistration,
          extraChangedFields: ['credentials.password'],
          actor,
        });
        await tx.credentials.setPassword(result.customer.id, passwordHash, result.customer.updatedAt);
        const registered: NewChangeEvent = {
          customerId: result.customer.id,
          type: 'customer.registered',
          changedFields: ['status', 'credentials.password'],
          actor: label,
          occurredAt: result.customer.updatedAt,
        };
        await recordStep(tx, result.consentChanges, [...result.events, registered]);
        return { customer: result.customer, created: result.created };
      });
    },

    /** Sets or removes attributes; refuses with CONFLICT when `expectedVersion` is stale. */
    async updateProfile(command: UpdateProfileCommand, actor: Actor): Promise<Customer> {
      const values = validateAttributeInputs(await uow.read.catalog.listAttributes(), command.attributes, { allowRemoval: true });
      return uow.transaction(async (tx) => {
        const customer = await tx.customers.lockById(command.customerId);
        if (!customer) throw notFound(`No customer has id ${command.customerId}.`);
        if (customer.status === 'DELETED') throw conflict('This account was deleted.');
        if (command.expectedVersion != null && command.expectedVersion !== customer.version) {
          throw conflict(
            `The customer changed since version ${command.expectedVersion} (it is at ${customer.version}): read it again and retry.`,
            'expectedVersion',
          );
        }
        const plan = planProfileChanges(customer, values, 'replace');
        if (plan.changedFields.length === 0) return customer;
        const at = clock.now();
        const updated = await tx.customers.update(customer.id, customer.version, plan.changes, at);
        if (!updated) throw new Error('locked customer changed under its lock');
        await tx.events.append([
          { customerId: customer.id, type: 'customer.updated', changedFields: plan.changedFields, actor: actorLabel(actor), occurredAt: at },
        ]);
        return updated;
      });
    },

    /** Disables an active account, or enables a disabled one (back to REGISTERED when it has a password). */
    async setEnabled(customerId: string, enabled: boolean, actor: Actor): Promise<Customer> {
      return uow.transaction(async (tx) => {
        const customer = await tx.customers.lockById(customerId);
        if (!customer) throw notFound(`No customer has id ${customerId}.`);
        if (customer.status === 'DELETED') throw conflict('This account was deleted.');
        if ((customer.status === 'DISABLED') !== enabled) return customer;
        const status: CustomerStatus = enabled ? await enabledStatus(tx, customer.id) : 'DISABLED';
        const at = clock.now();
        const updated = await tx.customers.update(customer.id, customer.version, { status }, at);
        if (!updated) throw new Error('locked customer changed under its lock');
        // Disabling ends every session for good: re-enabling must not bring old (perhaps stolen) tokens back.
        if (!enabled) await endAccess(tx, customerId, at);
        await tx.events.append([
          { customerId, type: enabled ? 'customer.enabled' : 'customer.disabled', changedFields: ['status'], actor: actorLabel(actor), occurredAt: at },
        ]);
        return updated;
      });
    },

    findByIds: (ids: readonly string[]) => uow.read.customers.findByIds(ids),
    findByIdsWithConsents: (ids: readonly string[]) => uow.read.customers.findByIdsWithConsents(ids),
  };
}
