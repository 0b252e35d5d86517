/** The scimType values of RFC 7644 section 3.12 that a 400 answer carries (uniqueness comes with 409 from CONFLICT). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue';

/**
 * A request SCIM refuses, named by its scimType (RFC 7644 section 3.12). Every scimType Kith uses belongs
 * to a 400 answer in the RFC's table, so the type is all the routes need; the domain speaks no HTTP.
 */
export class ScimError extends Error {
  constructor(
    readonly scimType: ScimType,
    detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

export const invalidFilter = (detail: string) => new ScimError('invalidFilter', detail);
export const invalidPath = (detail: string) => new ScimError('invalidPath', detail);
export const invalidValue = (detail: string) => new ScimError('invalidValue', detail);
export const invalidSyntax = (detail: string) => new ScimError('invalidSyntax', detail);
export const mutability = (detail: string) => new ScimError('mutability', detail);
export const noTarget = (detail: string) => new ScimError('noTarget', detail);
