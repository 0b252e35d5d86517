import { type Actor, actorLabel } from '../actor.js';
import { validateAttributeInputs } from '../catalog/attribute-input.js';
import type { Clock } from '../clock.js';
import { type Customer, type CustomerStatus, newCustomer } from '../customers/customer.js';
import { planProfileChanges } from '../customers/profile.js';
import { enabledStatus, endAccess } from '../customers/status.js';
import { conflict, notFound } from '../errors.js';
import { eraseCustomer } from '../privacy/account-erasure.js';
import type { NewChangeEvent } from '../events/change-event.js';
import type { Stores, UnitOfWork } from '../stores.js';
import type { ScimUser, UserSearch } from './scim-user-store.js';
import type { ProvisionedUser, ScimRecord } from './user-resource.js';
import { ENTERPRISE_USER } from './user-schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ProvisioningService = ReturnType<typeof createProvisioningService>;

/** Which versions a write may apply to (an If-Match precondition); null: any. */
export type VersionCondition = ((version: number) => boolean) | null;

/** CONFLICT on `version`: the precondition does not hold for the current version. */
const staleVersion = (actual: number) => conflict(`The user is at version ${actual}, which the precondition does not name: read it again.`, 'version');
const missing = (id: string) => notFound(`No User has id ${id}.`);
const takenUserName = (userName: string) => conflict(`Another user has the userName ${userName}.`, 'userName');
const takenEmail = (email: string) => conflict(`Another customer has the email ${email}.`, 'emails');

/** The SCIM name a record key is logged under: the primaries' metadata belongs to their attribute. */
const loggedName = (key: string) =>
  key === 'primaryEmail' ? 'emails' : key === 'primaryPhone' ? 'phoneNumbers' : key === ENTERPRISE_USER ? 'enterpriseUser' : key;

/** Names of the SCIM-only fields that differ between two records, for the change log: `scim.displayName`. */
function recordChanges(before: ScimRecord | null, after: ScimRecord): string[] {
  const fields = new Set<string>();
  if (before?.userName !== after.userName) fields.add('scim.userName');
  if ((before?.externalId ?? null) !== after.externalId) fields.add('scim.externalId');
  const old = before?.document ?? {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(after.document)])) {
    if (JSON.stringify(old[key]) !== JSON.stringify(after.document[key])) fields.add(`scim.${loggedName(key)}`);
  }
  return [...fields];
}

/**
 * SCIM provisioning of customers (RFC 7644 Users): each write is one transaction over the customer and its
 * SCIM record that appends its change events with the client as actor. A SCIM-created customer is LIGHT (or
 * DISABLED when created inactive) until it registers; DELETE erases it as an account deletion does, which
 * ends its sessions and hides it from SCIM.
 */
export function createProvisioningService(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const { uow, clock } = deps;

  /** The built-in attributes a user sets, checked against the catalog (E.164 phone, BCP 47 locale...). */
  async function profileValues(stores: Stores, user: ProvisionedUser) {
    const names = ['givenName', 'familyName', 'phoneNumber', 'locale'] as const;
    return validateAttributeInputs(
      await stores.catalog.listAttributes(),
      names.map((name) => ({ name, value: user[name] })),
      { allowRemoval: true },
    );
  }

  async function lockActive(tx: Stores, id: string, condition: VersionCondition): Promise<Customer> {
    const customer = UUID.test(id) ? await tx.customers.lockById(id) : null;
    if (!customer || customer.status === 'DELETED') throw missing(id);
    if (condition && !condition(customer.version)) throw staleVersion(customer.version);
    return customer;
  }

  async function recordOf(tx: Stores, id: string): Promise<ScimRecord | null> {
    return (await tx.scimUsers.findByCustomerIds([id]))[0] ?? null;
  }

  /** CONFLICT on userName when another customer's record has this userName, in any case. */
  async function claimUserName(tx: Stores, userName: string, customerId: string | null): Promise<void> {
    const holder = await tx.scimUsers.findByUserName(userName);
    if (holder && holder.customerId !== customerId) throw takenUserName(userName);
  }

  return {
    async get(id: string): Promise<ScimUser> {
      const [customer] = UUID.test(id) ? await uow.read.customers.findByIds([id]) : [];
      if (!customer || customer.status === 'DELETED') throw missing(id);
      return { customer, record: (await uow.read.scimUsers.findByCustomerIds([id]))[0] ?? null };
    },

    search: (query: UserSearch) => uow.read.scimUsers.search(query),

    /**
     * Creates a LIGHT customer (DISABLED when inactive). A taken userName, in any case, is CONFLICT on
     * userName; an email another customer has is CONFLICT on emails.
     */
    async create(user: ProvisionedUser, actor: Actor): Promise<ScimUser> {
      const values = await profileValues(uow.read, user);
      return uow.transaction(async (tx) => {
        await claimUserName(tx, user.userName, null);
        const at = clock.now();
        const blank = newCustomer({ id: deps.newId(), email: user.email, status: user.active === false ? 'DISABLED' : 'LIGHT', at });
        const plan = planProfileChanges(blank, values, 'replace');
        const customer = await tx.customers.insertIfAbsent({ ...blank, ...plan.changes });
        if (!customer) throw takenEmail(user.email);
        const record: ScimRecord = { customerId: customer.id, userName: user.userName, externalId: user.externalId, document: user.document };
        await tx.scimUsers.put(record, at);
        const fields = ['email', 'status', ...plan.changedFields, ...recordChanges(null, record)];
        await tx.events.append([{ customerId: customer.id, type: 'customer.created', changedFields: fields, actor: actorLabel(actor), occurredAt: at }]);
        return { customer, record };
      });
    },

    /**
     * Replaces what SCIM manages of a customer: email (the primary of emails), built-in attributes, status
     * (active) and the SCIM record (userName...), under the customer's row lock. `change` is the new user, or makes it from the
     * current one (PATCH), so concurrent patches apply one after the other. A `condition` the current
     * version fails is CONFLICT on `version`.
     */
    async replace(
      id: string,
      change: ProvisionedUser | ((current: ScimUser) => ProvisionedUser),
      condition: VersionCondition,
      actor: Actor,
    ): Promise<ScimUser> {
      return uow.transaction(async (tx) => {
        const customer = await lockActive(tx, id, condition);
        const before = await recordOf(tx, id);
        const user = typeof change === 'function' ? change({ customer, record: before }) : change;
        await claimUserName(tx, user.userName, id);
        const values = await profileValues(tx, user);
        const plan = planProfileChanges(customer, values, 'replace');
        const fields = [...plan.changedFields];
        if (user.email !== customer.email) {
          const [holder] = await tx.customers.findByEmail(user.email);
          if (holder && holder.id !== customer.id) throw takenEmail(user.email);
          plan.changes.email = user.email;
          plan.changes.emailVerified = false;
          fields.push('email', 'emailVerified');
        }
        const status: CustomerStatus =
          user.active === undefined || user.active === (customer.status !== 'DISABLED')
            ? customer.status
            : user.active
              ? await enabledStatus(tx, id)
              : 'DISABLED';
        if (status !== customer.status) plan.changes.status = status;
        const record: ScimRecord = { customerId: id, userName: user.userName, externalId: user.externalId, document: user.document };
        const scimFields = recordChanges(before, record);
        if (fields.length === 0 && scimFields.length === 0 && status === customer.status) return { customer, record: before };

        const at = clock.now();
        const updated = await tx.customers.update(id, customer.version, plan.changes, at);
        if (!updated) throw new Error('locked customer changed under its lock');
        if (scimFields.length > 0) await tx.scimUsers.put(record, at);
        // Recovery codes mailed to the old address stop working, as with changeEmail.
        if (plan.changes.email !== undefined) await tx.credentials.useRecoveryCodes(id, at);
        const label = actorLabel(actor);
        const events: NewChangeEvent[] = [];
        if (fields.length + scimFields.length > 0) {
          events.push({ customerId: id, type: 'customer.updated', changedFields: [...fields, ...scimFields], actor: label, occurredAt: at });
        }
        if (status !== customer.status) {
          // Disabling ends every session for good, as disableCustomer does.
          if (status === 'DISABLED') await endAccess(tx, id, at);
          events.push({ customerId: id, type: status === 'DISABLED' ? 'customer.disabled' : 'customer.enabled', changedFields: ['status'], actor: label, occurredAt: at });
        }
        await tx.events.append(events);
        return { customer: updated, record: scimFields.length > 0 ? record : before };
      });
    },

    /** Erases the customer as an account deletion does (its SCIM record goes with it): it is DELETED from then on. */
    async remove(id: string, condition: VersionCondition, actor: Actor): Promise<void> {
      await uow.transaction(async (tx) => {
        const customer = await lockActive(tx, id, condition);
        await eraseCustomer(tx, customer, { actor, source: 'API', at: clock.now() });
      });
    },
  };
}
