/**
 * Webhook signatures (reference §4): `Klarna-Signature` is the HMAC-SHA256 of the raw request body,
 * keyed with the signing key's secret (its UTF-8 bytes), as lower-case hex; `Klarna-Signing-Key-Id`
 * names the key. Receivers recompute it over the exact bytes they received and compare in
 * constant time (docs/webhooks.md shows how).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'Klarna-Signature';
export const signingKeyIdHeader = 'Klarna-Signing-Key-Id';

export function signBody(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export function verifySignature(secret: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signBody(secret, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
