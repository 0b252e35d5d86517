import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software authenticator for tests: a real P-256 key pair per credential, producing real attestation
 * ("none" or "packed" self-attestation) and assertion objects, built from the WebAuthn Level 2 layouts
 * (authenticator data, attested credential data, COSE key) with node:crypto and the CBOR encoder
 * @simplewebauthn/server ships. Nothing here is checked by the authenticator: that is the server's job.
 */

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

interface Held {
  privateKey: KeyObject;
  cose: Uint8Array;
  counter: number;
  userHandle: string;
}

/** Where a ceremony runs: the page's origin, and the RP ID the authenticator hashes (normally the options'). */
export interface CeremonyContext {
  origin: string;
  rpId?: string;
  /** Leave out the UV flag, as an authenticator without a PIN or biometric would. */
  withoutUserVerification?: boolean;
}

export class SoftwareAuthenticator {
  readonly aaguid = randomBytes(16);
  private readonly held: Map<string, Held>;

  constructor(held?: Map<string, Held>) {
    this.held = held ?? new Map();
  }

  /** A copy holding the same keys and counters: a cloned authenticator, whose counters then diverge. */
  clone(): SoftwareAuthenticator {
    return new SoftwareAuthenticator(new Map([...this.held].map(([id, h]) => [id, { ...h }])));
  }

  /**
   * navigator.credentials.create(): a new ES256 credential, answered as RegistrationResponseJSON; with
   * `credentialId`, one this authenticator already holds (as a client ignoring excludeCredentials would).
   */
  create(options: any, ctx: CeremonyContext & { format?: 'none' | 'packed'; credentialId?: string }) {
    if (ctx.credentialId) return this.register(options, ctx, Buffer.from(ctx.credentialId, 'base64url'), this.held.get(ctx.credentialId)!);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
    const held = { privateKey, cose, counter: 0, userHandle: options.user.id };
    return this.register(options, ctx, randomBytes(32), held);
  }

  /** The attestation of `held` under `credentialId` (a credential registered again, when it is one held already). */
  private register(options: any, ctx: CeremonyContext & { format?: 'none' | 'packed' }, credentialId: Buffer, held: Held) {
    const { privateKey, cose } = held;
    const id = b64url(credentialId);
    this.held.set(id, held);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const attested = Buffer.concat([this.aaguid, idLength, credentialId, cose]);
    const authData = this.authenticatorData(ctx.rpId ?? options.rp.id, FLAG_AT | this.flags(ctx), 0, attested);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: ctx.origin, crossOrigin: false }));
    const attStmt = new Map<string, number | Uint8Array>();
    if (ctx.format === 'packed') {
      attStmt.set('alg', -7);
      attStmt.set('sig', new Uint8Array(sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), privateKey)));
    }
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, number | Uint8Array>>([
        ['fmt', ctx.format ?? 'none'],
        ['attStmt', attStmt],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get(): signs with a credential the options allow (or the one named), counting up. */
  get(options: any, ctx: CeremonyContext & { credentialId?: string }) {
    const allowed: string[] = (options.allowCredentials ?? []).map((c: { id: string }) => c.id);
    const id = ctx.credentialId ?? allowed.find((candidate) => this.held.has(candidate));
    const held = id ? this.held.get(id) : undefined;
    if (!id || !held) throw new Error('this authenticator holds none of the allowed credentials');
    held.counter += 1;
    const authData = this.authenticatorData(ctx.rpId ?? options.rpId, this.flags(ctx), held.counter);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: ctx.origin, crossOrigin: false }));
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), held.privateKey);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), userHandle: held.userHandle },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** The ids of the credentials this authenticator holds. */
  credentialIds(): string[] {
    return [...this.held.keys()];
  }

  private flags(ctx: CeremonyContext): number {
    return FLAG_UP | (ctx.withoutUserVerification ? 0 : FLAG_UV);
  }

  private authenticatorData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const signCount = Buffer.alloc(4);
    signCount.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), signCount, ...(attested ? [attested] : [])]);
  }
}
