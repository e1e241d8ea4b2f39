/**
 * Which webhook targets are allowed: the rule for every outbound URL (../outbound/outbound-url.ts:
 * no link-local or metadata targets, no private ones in live mode unless allowed, plain http only
 * to loopback in sandbox), plus Klarna's own: in live mode only HTTPS on port 443 or 8443
 * (reference §4). Credentials and fragments in the URL are refused.
 */
import { isRejection, reject, type Rejection } from '../errors.js';
import { checkOutboundUrl, type OutboundPolicy } from '../outbound/outbound-url.js';

export function checkWebhookUrl(raw: string, policy: OutboundPolicy, field = 'url'): true | Rejection {
  const checked = checkOutboundUrl(raw, policy, field);
  if (isRejection(checked)) return checked;
  const url = checked.url;
  if (url.hash) return reject('BAD_VALUE', `Bad value: ${field} (a fragment is not allowed)`);
  if (policy.mode === 'live') {
    if (url.protocol !== 'https:') return reject('BAD_VALUE', `Bad value: ${field} (must be an https URL)`);
    const port = url.port === '' ? '443' : url.port;
    if (port !== '443' && port !== '8443') return reject('BAD_VALUE', `Bad value: ${field} (port must be 443 or 8443)`);
  }
  return true;
}
