/**
 * Which webhook targets are allowed. Klarna delivers only to HTTPS endpoints on port 443 or 8443
 * (reference §4); that is the rule in live mode. In sandbox mode Kassa also delivers to plain
 * http on the local machine (`localhost`, `127.0.0.1`, `[::1]`), any port, so a receiver on a
 * laptop works; https elsewhere is allowed on any port. Credentials in the URL are refused in both.
 */
import { reject, type Rejection } from '../errors.js';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

export function checkWebhookUrl(raw: string, mode: 'sandbox' | 'live', field = 'url'): true | Rejection {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return reject('BAD_VALUE', `Bad value: ${field} (not an absolute URL)`);
  }
  if (url.username || url.password) return reject('BAD_VALUE', `Bad value: ${field} (credentials in the URL are not allowed)`);
  if (url.hash) return reject('BAD_VALUE', `Bad value: ${field} (a fragment is not allowed)`);
  if (mode === 'live') {
    if (url.protocol !== 'https:') return reject('BAD_VALUE', `Bad value: ${field} (must be an https URL)`);
    const port = url.port === '' ? '443' : url.port;
    if (port !== '443' && port !== '8443') return reject('BAD_VALUE', `Bad value: ${field} (port must be 443 or 8443)`);
    return true;
  }
  if (url.protocol === 'https:') return true;
  if (url.protocol === 'http:' && loopbackHosts.has(url.hostname)) return true;
  return reject('BAD_VALUE', `Bad value: ${field} (must be https, or http to localhost/127.0.0.1 in sandbox mode)`);
}
