/** Who made a change, as recorded in the change log and the consent history. */
export type Actor = { kind: 'public' } | { kind: 'operator' } | { kind: 'system' } | { kind: 'customer'; id: string };

export function actorLabel(actor: Actor): string {
  return actor.kind === 'customer' ? `customer:${actor.id}` : actor.kind;
}
