import { badInput } from '../errors.js';
import { bounds, checkListSize } from '../input-bounds.js';
import type { AttributeDefinition, AttributeValue } from './attribute.js';
import { ATTRIBUTE_NAME, validateAttributeValue } from './attribute-rules.js';

export interface AttributeInput {
  name: string;
  value?: AttributeValue | null;
}

/**
 * Validates name/value pairs against the catalog. Returns canonical values by name; null means "remove"
 * and is accepted only when `allowRemoval` is set (then also for names no longer in the catalog). Unknown names, duplicates and malformed values are
 * BAD_USER_INPUT naming the field, such as `attributes.birthDate`.
 */
export function validateAttributeInputs(
  catalog: readonly AttributeDefinition[],
  inputs: readonly AttributeInput[] | null | undefined,
  options: { allowRemoval: boolean },
): Map<string, AttributeValue | null> {
  const list = checkListSize(inputs, bounds.attributesPerRequest, 'attributes');
  const byName = new Map(catalog.map((def) => [def.name, def]));
  const values = new Map<string, AttributeValue | null>();
  for (const { name, value } of list) {
    const field = `attributes.${name}`;
    const def = byName.get(name);
    // A value whose attribute left the catalog can still be removed, so no customer is stuck with it.
    if (!def && options.allowRemoval && value == null && ATTRIBUTE_NAME.test(name) && !values.has(name)) {
      values.set(name, null);
      continue;
    }
    if (!def) throw badInput(`${field} is not in the attribute catalog; see attributeDefinitions.`, field);
    if (values.has(name)) throw badInput(`${field} is given twice.`, field);
    if (value === null || value === undefined) {
      if (!options.allowRemoval) throw badInput(`${field} needs a value.`, field);
      values.set(name, null);
    } else {
      values.set(name, validateAttributeValue(def, value, field));
    }
  }
  return values;
}
