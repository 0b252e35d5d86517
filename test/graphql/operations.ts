// Operations shared by the black-box tests; the README's walk-through uses the same shapes.

export const CUSTOMER_FIELDS = `
  id status email emailVerified givenName familyName phoneNumber locale version
  attributes { name value }
  anonymousIds
  consents { purpose { key version } purposeVersion status source grantedAt withdrawnAt }
  createdAt updatedAt
`;

export const CAPTURE = `mutation Capture($input: CaptureInput!) { capture(input: $input) { created customer { id } } }`;
export const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { created customer { id } } }`;
export const CUSTOMER = `query Customer($id: ID!) { customer(id: $id) { ${CUSTOMER_FIELDS} } }`;
export const CUSTOMER_BY_EMAIL = `query ByEmail($email: EmailAddress!) {
  customers(filter: { email: $email }, first: 5) { edges { node { ${CUSTOMER_FIELDS} } } }
}`;
export const EVENTS_OF = `query Events($id: ID!) {
  changeEvents(customerId: $id, first: 100) { edges { node { type changedFields actor customerId occurredAt } } }
}`;
