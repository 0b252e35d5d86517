import { sql } from 'drizzle-orm';
import { boolean, check, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The purposes a customer can consent to. A change of title or description bumps the version. */
export const consentPurposes = pgTable('consent_purposes', {
  key: text('key').primaryKey(),
  title: text('title').notNull(),
  description: text('description').notNull(),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
});

/** What capture, register and updateProfile accept: name, type, validation, personal-data flag. */
export const attributeDefinitions = pgTable(
  'attribute_definitions',
  {
    name: text('name').primaryKey(),
    type: text('type').notNull(),
    description: text('description').notNull().default(''),
    personalData: boolean('personal_data').notNull().default(true),
    /** Built-in attributes are stored in customer columns and cannot be removed. */
    builtin: boolean('builtin').notNull().default(false),
    constraints: jsonb('constraints').$type<AttributeConstraintsJson>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    check(
      'attribute_definitions_type_check',
      sql`${t.type} in ('STRING', 'INTEGER', 'NUMBER', 'BOOLEAN', 'DATE', 'PHONE_NUMBER', 'LOCALE')`,
    ),
  ],
);

export interface AttributeConstraintsJson {
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  allowedValues?: string[];
}
