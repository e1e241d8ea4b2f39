/**
 * The session's `client_token`: a JWT (HS256, jose) naming the session and its account, which the
 * JS SDK emulation hands back to Kassa. The signing secret is KASSA_TOKEN_SECRET or one generated
 * once and kept in the store, so tokens stay valid across restarts.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

export interface ClientTokenClaims {
  sessionId: string;
  accountId: string;
}

export class ClientTokens {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly issuer: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: ClientTokenClaims, nowMs: number, expiresAtMs: number): Promise<string> {
    return new SignJWT({ session_id: claims.sessionId, account_id: claims.accountId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(claims.sessionId)
      .setIssuedAt(Math.floor(nowMs / 1000))
      .setExpirationTime(Math.floor(expiresAtMs / 1000))
      .sign(this.key);
  }

  /** The claims of a token Kassa signed, or undefined (bad signature, malformed). Expiry is the session's business. */
  async verify(token: string): Promise<ClientTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: this.issuer, algorithms: ['HS256'], currentDate: new Date(0) });
      if (typeof payload.session_id !== 'string' || typeof payload.account_id !== 'string') return undefined;
      return { sessionId: payload.session_id, accountId: payload.account_id };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}
