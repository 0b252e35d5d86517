/** Who made a change, as recorded in the change log and the consent history. */
export type Actor =
  | { kind: 'public' }
  | { kind: 'system' }
  | { kind: 'customer'; id: string }
  | { kind: 'staff'; id: string; role: 'AGENT' | 'ADMIN' }
  | { kind: 'client'; id: string };

/** `public`, `system`, or the kind and id: `customer:<uuid>`, `staff:<uuid>`, `client:<client_id>`. */
export function actorLabel(actor: Actor): string {
  return 'id' in actor ? `${actor.kind}:${actor.id}` : actor.kind;
}

/** Administrators are the only actors trusted to write into someone's account as if they were its owner. */
export const isAdministrator = (actor: Actor): boolean => actor.kind === 'staff' && actor.role === 'ADMIN';
