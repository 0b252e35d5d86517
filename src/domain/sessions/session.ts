/** A signed-in session, as the domain sees it (the refresh token only as its hash, in the store). */
export interface Session {
  id: string;
  customerId: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** When the customer last proved who they are in this session. */
  authTime: Date;
  /** Authentication context class: `pwd` after a password. */
  acr: string;
  /** Authentication methods used (RFC 8176), such as `pwd`. */
  amr: string[];
  userAgent: string | null;
  ip: string | null;
  revokedAt: Date | null;
}

/** What a successful sign-in or refresh hands back. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  session: Session;
}

/** Signs access tokens (jose, in auth/): the domain only says what they claim. */
export interface AccessTokenIssuer {
  issue(claims: { customerId: string; sessionId: string; authTime: Date; acr: string; amr: string[] }): Promise<{ token: string; expiresIn: number }>;
}

/**
 * Refresh tokens name their session (`<session id>.<secret>.<tag>`), so any token Kith issued for a live
 * session that is not its current one is recognised as reuse, however many rotations old; one Kith did not
 * issue is refused and changes nothing. Stored only as a one-way hash.
 */
export interface RefreshTokenCodec {
  generate(sessionId: string): string;
  /**
   * The session a token names, and whether Kith issued it (its tag checks out); null when it is not shaped
   * like one or its tag does not check out. A token from before the tag has none: Kith cannot vouch for it.
   */
  read(token: string): { sessionId: string; issuedByKith: boolean } | null;
  hash(token: string): string;
}
