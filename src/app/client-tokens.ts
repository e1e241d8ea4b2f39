/**
 * The session's `client_token`: a JWT (HS256, jose) naming the session and its account, which the
 * JS SDK emulation hands back to Kassa. The signing secret is KASSA_TOKEN_SECRET or one generated
 * once and kept in the store, so tokens stay valid across restarts.
 *
 * Signing is on every session create, so it is done synchronously with node:crypto's HMAC: jose's
 * SignJWT goes through WebCrypto (a key import and a thread-pool job per token) and cost about
 * 100 µs and a thread-pool round trip per session (docs/performance.md). The token is the same
 * JWT byte for byte; verifying stays with jose.
 */
import { createHmac } from 'node:crypto';
import { jwtVerify, errors as joseErrors } from 'jose';

export interface ClientTokenClaims {
  sessionId: string;
  accountId: string;
}

const jwtHeader = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export class ClientTokens {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly issuer: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: ClientTokenClaims, nowMs: number, expiresAtMs: number): Promise<string> {
    const payload = {
      session_id: claims.sessionId,
      account_id: claims.accountId,
      iss: this.issuer,
      sub: claims.sessionId,
      iat: Math.floor(nowMs / 1000),
      exp: Math.floor(expiresAtMs / 1000),
    };
    const signingInput = `${jwtHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${signingInput}.${createHmac('sha256', this.key).update(signingInput).digest('base64url')}`;
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
