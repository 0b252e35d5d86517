import type { Clock } from '../clock.js';
import type { ConsentPurpose } from '../consents/consent.js';
import { badInput, conflict, notFound } from '../errors.js';
import type { UnitOfWork } from '../stores.js';
import type { AttributeConstraints, AttributeDefinition, AttributeType } from './attribute.js';
import { validateDefinition } from './attribute-rules.js';

export interface DefineAttributeCommand {
  name: string;
  type: AttributeType;
  description?: string | null;
  personalData?: boolean | null;
  maxLength?: number | null;
  pattern?: string | null;
  minimum?: number | null;
  maximum?: number | null;
  allowedValues?: readonly string[] | null;
}

export interface DefinePurposeCommand {
  key: string;
  title: string;
  description: string;
}

const PURPOSE_KEY = /^[a-z][a-z0-9_]{0,63}$/;

export type CatalogService = ReturnType<typeof createCatalogService>;

/** The administrator-managed catalogs: which attributes a customer may have and which purposes they may consent to. */
export function createCatalogService(deps: { uow: UnitOfWork; clock: Clock }) {
  const { uow, clock } = deps;
  return {
    listAttributes: () => uow.read.catalog.listAttributes(),
    listPurposes: () => uow.read.catalog.listPurposes(),

    async defineAttribute(command: DefineAttributeCommand): Promise<AttributeDefinition> {
      validateDefinition(command);
      if (command.description != null && command.description.length > 2000) {
        throw badInput('description takes at most 2000 characters.', 'description');
      }
      return uow.transaction(async (tx) => {
        const existing = (await tx.catalog.listAttributes()).find((d) => d.name === command.name);
        if (existing?.builtin && existing.type !== command.type) {
          throw conflict(`${command.name} is built in: its type stays ${existing.type}.`, 'type');
        }
        if (existing && existing.type !== command.type && (await tx.customers.anyHasAttribute(command.name))) {
          throw conflict(`Customers hold ${existing.type} values for ${command.name}: remove them before changing its type.`, 'type');
        }
        const constraints: AttributeConstraints = {};
        if (command.maxLength != null) constraints.maxLength = command.maxLength;
        if (command.pattern != null) constraints.pattern = command.pattern;
        if (command.minimum != null) constraints.minimum = command.minimum;
        if (command.maximum != null) constraints.maximum = command.maximum;
        if (command.allowedValues != null) constraints.allowedValues = [...command.allowedValues];
        const at = clock.now();
        return tx.catalog.upsertAttribute({
          name: command.name,
          type: command.type,
          description: command.description ?? existing?.description ?? '',
          personalData: command.personalData ?? existing?.personalData ?? true,
          builtin: existing?.builtin ?? false,
          constraints,
          createdAt: existing?.createdAt ?? at,
          updatedAt: at,
        });
      });
    },

    async removeAttribute(name: string): Promise<boolean> {
      return uow.transaction(async (tx) => {
        const existing = (await tx.catalog.listAttributes()).find((d) => d.name === name);
        if (!existing) throw notFound(`No attribute is named ${name}.`);
        if (existing.builtin) throw conflict(`${name} is built in and cannot be removed.`, 'name');
        if (await tx.customers.anyHasAttribute(name)) {
          throw conflict(`Customers still hold values for ${name}: remove them with updateProfile first.`, 'name');
        }
        return tx.catalog.deleteAttribute(name);
      });
    },

    /** Creates a purpose at version 1, or rewords it: a changed title or description is a new version. */
    async definePurpose(command: DefinePurposeCommand): Promise<ConsentPurpose> {
      if (!PURPOSE_KEY.test(command.key)) {
        throw badInput('key must be lower-case letters, digits and underscores, starting with a letter, at most 64 characters.', 'key');
      }
      const title = command.title.trim();
      const description = command.description.trim();
      if (title.length === 0 || title.length > 200) throw badInput('title takes 1 to 200 characters.', 'title');
      if (description.length === 0 || description.length > 2000) throw badInput('description takes 1 to 2000 characters.', 'description');
      return uow.transaction(async (tx) => {
        const existing = await tx.catalog.lockPurpose(command.key);
        const at = clock.now();
        if (!existing) return tx.catalog.savePurpose({ key: command.key, title, description, version: 1, createdAt: at, updatedAt: at });
        if (existing.title === title && existing.description === description) return existing;
        return tx.catalog.savePurpose({ ...existing, title, description, version: existing.version + 1, updatedAt: at });
      });
    },
  };
}
