import { SignJWT, decodeProtectedHeader, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { ClientTokens } from '../src/app/client-tokens.js';

describe('client tokens', () => {
  const secret = 's'.repeat(40);
  const tokens = new ClientTokens(secret, 'http://127.0.0.1:4545');

  it('signs the same HS256 JWT jose would, which verifies', async () => {
    const token = await tokens.sign({ sessionId: 'sess-1', accountId: 'acc-1' }, 1_700_000_000_500, 1_700_172_800_000);
    const byJose = await new SignJWT({ session_id: 'sess-1', account_id: 'acc-1' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('http://127.0.0.1:4545')
      .setSubject('sess-1')
      .setIssuedAt(1_700_000_000)
      .setExpirationTime(1_700_172_800)
      .sign(new TextEncoder().encode(secret));
    expect(token).toBe(byJose);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodeJwt(token)).toMatchObject({ session_id: 'sess-1', account_id: 'acc-1', sub: 'sess-1', iat: 1_700_000_000, exp: 1_700_172_800 });
    expect(await tokens.verify(token)).toEqual({ sessionId: 'sess-1', accountId: 'acc-1' });
  });

  it('refuses a token signed with another secret or tampered with', async () => {
    const other = new ClientTokens('t'.repeat(40), 'http://127.0.0.1:4545');
    const token = await other.sign({ sessionId: 'sess-1', accountId: 'acc-1' }, 0, 1000);
    expect(await tokens.verify(token)).toBeUndefined();
    const mine = await tokens.sign({ sessionId: 'sess-1', accountId: 'acc-1' }, 0, 1000);
    const [h, , sig] = mine.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ session_id: 'sess-2', account_id: 'acc-1', iss: 'http://127.0.0.1:4545' })).toString('base64url')}.${sig}`;
    expect(await tokens.verify(forged)).toBeUndefined();
  });
});
