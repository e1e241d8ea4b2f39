/**
 * The one rule for every URL Kassa will call (v2 webhooks, merchant_urls.notification and
 * .authorization callbacks, the merchant role's provider connection): a tenant must not be able to
 * point Kassa at the machine's own network.
 *
 * - Link-local (169.254/16, fe80::/10), cloud metadata (169.254.169.254, fd00:ec2::254,
 *   100.100.100.200, metadata.google.internal, …) and unroutable or multicast addresses are never
 *   called, however spelled: the WHATWG URL parser already turns decimal, hex and octal IPv4 into
 *   dotted form, and IPv4 inside IPv6 (::ffff:a.b.c.d, NAT64, 6to4) is judged by its IPv4.
 * - Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) and loopback are refused in
 *   live mode unless the operator allows them (KASSA_OUTBOUND_ALLOW_PRIVATE); sandbox allows them.
 * - Plain http only to loopback, only in sandbox (a receiver on a laptop); everything else https.
 * - Kassa's own public origin (KASSA_PUBLIC_URL) is always allowed: the merchant role calls its
 *   own provider routes there by default, and the operator chose it.
 *
 * A host name is judged by name here, and by every address it resolves to when Kassa connects
 * (src/outbound/guarded-http.ts), so a name that later resolves somewhere forbidden (DNS
 * rebinding) is refused at send time. Pure: no DNS, no node:*.
 */
import { reject, type Rejection } from '../errors.js';

export interface OutboundPolicy {
  mode: 'sandbox' | 'live';
  /** Loopback and private ranges allowed in live mode (KASSA_OUTBOUND_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Kassa's own public origin, always allowed. */
  trustedOrigin?: string;
}

export type AddressClass = 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved' | 'public';

const metadataHosts = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

/** Eight 16-bit groups, or undefined when `text` (no brackets) is not an IPv6 address. */
function parseIpv6(text: string): number[] | undefined {
  let s = text.replace(/%.*$/, '').toLowerCase();
  const last = s.lastIndexOf(':');
  if (last < 0) return undefined;
  if (s.slice(last + 1).includes('.')) {
    const v4 = parseIpv4(s.slice(last + 1));
    if (!v4) return undefined;
    s = `${s.slice(0, last + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0]!);
  const tail = halves.length === 2 ? group(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || (halves.length === 2 && fill < 1)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

function classifyIpv4([a, b, c, d]: number[]): AddressClass {
  if (a === 169 && b === 254) return c === 169 && d === 254 ? 'metadata' : 'link-local';
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'metadata'; // Alibaba Cloud
  if (a === 0 || a! >= 224) return 'reserved'; // "this network" (reaches the local host), multicast, 240/4, broadcast
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return 'private';
  if ((a === 100 && b! >= 64 && b! <= 127) || (a === 198 && (b === 18 || b === 19)) || (a === 192 && b === 0 && c === 0)) return 'private';
  return 'public';
}

const v4Of = (g: number[], at: number) => [g[at]! >> 8, g[at]! & 0xff, g[at + 1]! >> 8, g[at + 1]! & 0xff];

function classifyIpv6(g: number[]): AddressClass {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'reserved';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  if (zeros(0, 5) && g[5] === 0xffff) return classifyIpv4(v4Of(g, 6)); // IPv4-mapped
  if (zeros(0, 6)) return classifyIpv4(v4Of(g, 6)); // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return classifyIpv4(v4Of(g, 6)); // NAT64
  if (g[0] === 0x2002) {
    const inner = classifyIpv4(v4Of(g, 1)); // 6to4
    if (inner !== 'public') return inner;
  }
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && zeros(2, 7) && g[7] === 0x254) return 'metadata'; // AWS
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private';
  if ((g[0]! & 0xff00) === 0xff00) return 'reserved';
  return 'public';
}

/** The class of an IP address (dotted IPv4 or IPv6, brackets allowed); undefined for a name. */
export function classifyAddress(host: string): AddressClass | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const v4 = parseIpv4(bare);
  if (v4) return classifyIpv4(v4);
  const v6 = parseIpv6(bare);
  return v6 ? classifyIpv6(v6) : undefined;
}

/** Why Kassa must not call an address of this class under `policy`, or undefined when it may. */
export function refusalOf(cls: AddressClass, protocol: string, policy: OutboundPolicy): string | undefined {
  if (cls === 'link-local' || cls === 'metadata') return 'link-local and cloud metadata addresses are never called';
  if (cls === 'reserved') return 'not a routable unicast address';
  if ((cls === 'loopback' || cls === 'private') && policy.mode === 'live' && !policy.allowPrivate) {
    return 'loopback and private addresses are refused in live mode (KASSA_OUTBOUND_ALLOW_PRIVATE)';
  }
  if (protocol === 'http:' && !(cls === 'loopback' && policy.mode === 'sandbox')) return 'must be https (plain http only to loopback in sandbox mode)';
  return undefined;
}

/**
 * Checks a URL Kassa is asked to store or call. `trusted` is true for Kassa's own public origin,
 * whose addresses are not checked again at send time.
 */
export function checkOutboundUrl(raw: string, policy: OutboundPolicy, field: string): { url: URL; trusted: boolean } | Rejection {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return reject('BAD_VALUE', `Bad value: ${field} (not an absolute URL)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return reject('BAD_VALUE', `Bad value: ${field} (must be an https URL)`);
  if (url.username || url.password) return reject('BAD_VALUE', `Bad value: ${field} (credentials in the URL are not allowed)`);
  if (policy.trustedOrigin !== undefined && url.origin === policy.trustedOrigin) return { url, trusted: true };
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (metadataHosts.has(host)) return reject('BAD_VALUE', `Bad value: ${field} (link-local and cloud metadata addresses are never called)`);
  const cls = classifyAddress(host) ?? (host === 'localhost' || host.endsWith('.localhost') ? 'loopback' : 'public');
  const refusal = refusalOf(cls, url.protocol, policy);
  if (refusal) return reject('BAD_VALUE', `Bad value: ${field} (${refusal})`);
  return { url, trusted: false };
}
