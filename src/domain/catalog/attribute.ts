/** The catalog types of profile attributes. */
export const attributeTypes = ['STRING', 'INTEGER', 'NUMBER', 'BOOLEAN', 'DATE', 'PHONE_NUMBER', 'LOCALE'] as const;
export type AttributeType = (typeof attributeTypes)[number];

export type AttributeValue = string | number | boolean;

export interface AttributeConstraints {
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  allowedValues?: string[];
}

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  description: string;
  personalData: boolean;
  builtin: boolean;
  constraints: AttributeConstraints;
  createdAt: Date;
  updatedAt: Date;
}

/** Built-in attributes live in customer columns; the rest live in the customer's attribute map. */
export const builtinAttributes = ['givenName', 'familyName', 'phoneNumber', 'locale'] as const;
export type BuiltinAttribute = (typeof builtinAttributes)[number];

export function isBuiltinAttribute(name: string): name is BuiltinAttribute {
  return (builtinAttributes as readonly string[]).includes(name);
}
