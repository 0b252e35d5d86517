import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectorConfigError,
  type ConnectorClient,
  type ConnectorKind,
  type Delivery,
  type DeliveryAction,
  type ProfileFields,
} from '../../src/connectors/connector.js';
import type { Peer } from '../support/peers/peer-server.js';

/**
 * The contract every outbound connector kind passes against its test peer (STYLE habit 8): upserts create
 * then update, unsubscribe and delete do what the kind documents, one outcome per delivery in order,
 * 5xx/timeouts/429 are retryable (429 with Retry-After), 401 is not, bad configuration names its field,
 * and test() tells good credentials from bad ones.
 */
export interface Person {
  readonly customerId: string;
  readonly email: string;
}

/** What the peer holds for one customer. */
export interface PeerView {
  readonly givenName: string | undefined;
  /** True once an unsubscribe took effect (opt-out flag set, or the account deactivated). */
  readonly optedOut: boolean;
}

export interface ContractSubject<P extends Peer> {
  readonly kind: ConnectorKind;
  startPeer(): Promise<P>;
  settings(peerUrl: string): unknown;
  readonly secrets: unknown;
  readonly wrongSecrets: unknown;
  /** The mapped fields (target names) of an upsert of this person. */
  fields(person: Person, givenName: string): ProfileFields;
  /** Fields the peer refuses, as the vendor refuses an unknown property. */
  rejectedFields?(person: Person): ProfileFields;
  view(peer: P, person: Person): PeerView | undefined;
  /** Settings and secrets the kind must refuse, with the field it must name. */
  readonly badConfig: ReadonlyArray<{ readonly settings?: unknown; readonly secrets?: unknown; readonly field: string }>;
}

/** Generous for a loaded machine; the timeout test uses its own short one. */
export const TIMEOUT_MS = 5000;
const SHORT_TIMEOUT_MS = 300;

export function newPerson(): Person {
  const id = randomUUID();
  return { customerId: id, email: `p-${id.slice(0, 8)}@example.com` };
}

export function deliveryOf(action: DeliveryAction, person: Person, fields: ProfileFields = {}): Delivery {
  return { idempotencyKey: `conn-1:${randomUUID()}`, customerId: person.customerId, email: person.email, action, fields, occurredAt: new Date() };
}

export function clientFor<P extends Peer>(
  subject: ContractSubject<P>,
  peer: P,
  secrets: unknown = subject.secrets,
  timeoutMs = TIMEOUT_MS,
): ConnectorClient {
  const { kind } = subject;
  return kind.create({
    settings: kind.parseSettings(subject.settings(peer.url)),
    secrets: kind.parseSecrets(secrets),
    fetch: globalThis.fetch,
    now: () => new Date(),
    timeoutMs,
  });
}

export function connectorContract<P extends Peer>(subject: ContractSubject<P>): void {
  describe(`${subject.kind.kind} connector contract`, () => {
    let peer: P;
    let client: ConnectorClient;
    beforeAll(async () => {
      peer = await subject.startPeer();
      client = clientFor(subject, peer);
    });
    afterAll(() => peer.close());

    const upsert = (person: Person, givenName: string) => deliveryOf('upsert', person, subject.fields(person, givenName));

    it('upsert creates the contact, then updates it', async () => {
      const person = newPerson();
      expect(await client.deliver([upsert(person, 'Ada')])).toEqual([{ ok: true }]);
      expect(subject.view(peer, person)).toEqual({ givenName: 'Ada', optedOut: false });
      expect(await client.deliver([upsert(person, 'Adele')])).toEqual([{ ok: true }]);
      expect(subject.view(peer, person)).toEqual({ givenName: 'Adele', optedOut: false });
    });

    it('unsubscribe keeps the contact and opts it out', async () => {
      const person = newPerson();
      await client.deliver([upsert(person, 'Una')]);
      expect(await client.deliver([deliveryOf('unsubscribe', person, subject.fields(person, 'Una'))])).toEqual([{ ok: true }]);
      expect(subject.view(peer, person)).toMatchObject({ optedOut: true });
    });

    it('delete removes the contact, and deleting it again still succeeds', async () => {
      const person = newPerson();
      await client.deliver([upsert(person, 'Del')]);
      expect(subject.view(peer, person)).toBeDefined();
      expect(await client.deliver([deliveryOf('delete', person)])).toEqual([{ ok: true }]);
      expect(subject.view(peer, person)).toBeUndefined();
      expect(await client.deliver([deliveryOf('delete', person)])).toEqual([{ ok: true }]);
    });

    it('answers one outcome per delivery, in order, across customers and actions', async () => {
      const [a, b] = [newPerson(), newPerson()];
      const outcomes = await client.deliver([upsert(a, 'A1'), upsert(b, 'B1'), deliveryOf('delete', a), upsert(b, 'B2')]);
      expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
      expect(subject.view(peer, a)).toBeUndefined();
      expect(subject.view(peer, b)).toEqual({ givenName: 'B2', optedOut: false });
    });

    it.runIf(subject.rejectedFields !== undefined)('a record the target refuses fails alone, not retryable', async () => {
      const [a, bad, c] = [newPerson(), newPerson(), newPerson()];
      const outcomes = await client.deliver([upsert(a, 'A'), deliveryOf('upsert', bad, subject.rejectedFields!(bad)), upsert(c, 'C')]);
      expect(outcomes[0]).toEqual({ ok: true });
      expect(outcomes[1]).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^REJECTED: /) });
      expect(outcomes[2]).toEqual({ ok: true });
      expect(subject.view(peer, a)?.givenName).toBe('A');
      expect(subject.view(peer, c)?.givenName).toBe('C');
    });

    it('a 500 is retryable', async () => {
      peer.fail({ status: 500, message: 'upstream exploded' });
      const [outcome] = await client.deliver([upsert(newPerson(), 'X')]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^UNAVAILABLE: .*upstream exploded/) });
    });

    it('a timeout is retryable', async () => {
      peer.fail({ hang: true });
      const started = Date.now();
      const [outcome] = await clientFor(subject, peer, subject.secrets, SHORT_TIMEOUT_MS).deliver([upsert(newPerson(), 'X')]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^UNAVAILABLE: no answer within 300 ms/) });
      expect(Date.now() - started).toBeLessThan(SHORT_TIMEOUT_MS + 2000);
    });

    it('a 429 is retryable after the Retry-After seconds', async () => {
      peer.fail({ status: 429, retryAfter: '7' });
      const [outcome] = await client.deliver([upsert(newPerson(), 'X')]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, retryAfterSeconds: 7, error: expect.stringMatching(/^RATE_LIMITED: /) });
    });

    it("holds back a customer's later changes behind a retryable failure", async () => {
      const person = newPerson();
      peer.fail({ status: 503 });
      const before = peer.requests.length;
      const outcomes = await client.deliver([upsert(person, 'First'), deliveryOf('delete', person)]);
      expect(outcomes.map((o) => o.ok === false && o.retryable)).toEqual([true, true]);
      expect(peer.requests.length - before).toBe(1);
    });

    it('a 401 (wrong credentials) is not retryable and carries the vendor message', async () => {
      const [outcome] = await clientFor(subject, peer, subject.wrongSecrets).deliver([upsert(newPerson(), 'X')]);
      expect(outcome).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^UNAUTHORIZED: .+\(HTTP 401\)/) });
    });

    it('refuses bad settings and secrets, naming the field', () => {
      for (const bad of subject.badConfig) {
        const attempt = () =>
          bad.settings !== undefined ? subject.kind.parseSettings(bad.settings) : subject.kind.parseSecrets(bad.secrets);
        expect(attempt, JSON.stringify(bad)).toThrow(ConnectorConfigError);
        try {
          attempt();
        } catch (error) {
          expect((error as ConnectorConfigError).field).toBe(bad.field);
        }
      }
    });

    it('test() succeeds against the target and fails clearly on wrong credentials', async () => {
      expect(await client.test()).toEqual({ ok: true });
      expect(await clientFor(subject, peer, subject.wrongSecrets).test()).toMatchObject({
        ok: false,
        retryable: false,
        error: expect.stringMatching(/^UNAUTHORIZED: /),
      });
    });
  });
}
