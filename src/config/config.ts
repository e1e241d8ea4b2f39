/**
 * Configuration: resolved once from the environment, validated, frozen, and passed explicitly.
 * This is the only module that reads process.env. A bad value stops start-up with a message that
 * names the variable. Unknown KASSA_* variables are refused (a typo must not be silently ignored).
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { OutboundPolicy } from '../domain/outbound/outbound-url.js';

export type StoreConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly mode: 'sandbox' | 'live';
  readonly store: StoreConfig;
  /** Fixed sandbox merchant credentials (KASSA_SANDBOX_MERCHANT=username:password). */
  readonly sandboxMerchant?: { username: string; password: string };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Secret for signing client tokens (JWT); generated per data folder when unset. */
  readonly tokenSecret?: string;
  /** Public base URL used in links Kassa hands out (client tokens, journey URLs, redirects). */
  readonly publicUrl: string;
  /** How often the timer and outbox workers poll, in ms. */
  readonly pollIntervalMs: number;
  /**
   * Server processes sharing the port and the store (KASSA_WORKERS: a number, or `auto` for one per
   * CPU core). 1 (the default) serves from this process; more fork workers (node:cluster).
   */
  readonly workers: number;
  /**
   * Bearer token for GET /metrics (KASSA_METRICS_TOKEN). Unset: /metrics answers loopback clients
   * only (docs/dashboard.md says why).
   */
  readonly metricsToken?: string;
  /**
   * The rule for every URL Kassa calls (webhooks, callbacks, the merchant role's provider):
   * mode, whether loopback/private targets are allowed in live mode
   * (KASSA_OUTBOUND_ALLOW_PRIVATE), and Kassa's own public origin (always allowed).
   */
  readonly outbound: OutboundPolicy;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const knownKassaKeys = new Set([
  'KASSA_MODE',
  'KASSA_SANDBOX_MERCHANT',
  'KASSA_LOG_LEVEL',
  'KASSA_TOKEN_SECRET',
  'KASSA_PUBLIC_URL',
  'KASSA_POLL_INTERVAL_MS',
  'KASSA_WORKERS',
  'KASSA_METRICS_TOKEN',
  'KASSA_OUTBOUND_ALLOW_PRIVATE',
]);

export function loadConfig(env: Record<string, string | undefined>, cwd: string): Config {
  for (const key of Object.keys(env)) {
    if (key.startsWith('KASSA_') && !knownKassaKeys.has(key)) {
      throw new ConfigError(`${key}: unknown setting (known: ${[...knownKassaKeys].join(', ')})`);
    }
  }

  const host = env.HOST?.trim() || '127.0.0.1';
  const port = parseInteger('PORT', env.PORT, 4545, 0, 65535);

  const modeRaw = env.KASSA_MODE?.trim() || 'sandbox';
  if (modeRaw !== 'sandbox' && modeRaw !== 'live') throw new ConfigError(`KASSA_MODE: must be "sandbox" or "live", got "${modeRaw}"`);

  const store = parseDatabaseUrl(env.DATABASE_URL, cwd);

  let sandboxMerchant: Config['sandboxMerchant'];
  if (env.KASSA_SANDBOX_MERCHANT !== undefined) {
    const raw = env.KASSA_SANDBOX_MERCHANT;
    const at = raw.indexOf(':');
    const username = at > 0 ? raw.slice(0, at) : '';
    const password = at > 0 ? raw.slice(at + 1) : '';
    if (!/^[A-Za-z0-9_.@-]{1,100}$/.test(username) || password.length < 8 || password.length > 200 || /[\u0000-\u001f\u007f]/.test(password)) {
      throw new ConfigError('KASSA_SANDBOX_MERCHANT: must be username:password (username of letters, digits, _.@-; password of 8–200 characters, no control characters)');
    }
    sandboxMerchant = { username, password };
  }

  const logLevel = (env.KASSA_LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`KASSA_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }

  const tokenSecret = env.KASSA_TOKEN_SECRET;
  if (tokenSecret !== undefined && tokenSecret.length < 32) throw new ConfigError('KASSA_TOKEN_SECRET: must be at least 32 characters');

  const publicUrlRaw = env.KASSA_PUBLIC_URL?.trim() || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let publicUrl: string;
  try {
    const u = new URL(publicUrlRaw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    publicUrl = u.origin;
  } catch {
    throw new ConfigError(`KASSA_PUBLIC_URL: must be an http(s) URL, got "${publicUrlRaw}"`);
  }

  const pollIntervalMs = parseInteger('KASSA_POLL_INTERVAL_MS', env.KASSA_POLL_INTERVAL_MS, 500, 10, 60_000);

  const workers = env.KASSA_WORKERS?.trim() === 'auto' ? availableParallelism() : parseInteger('KASSA_WORKERS', env.KASSA_WORKERS, 1, 1, 64);
  if (workers > 1 && store.kind === 'sqlite' && store.path === ':memory:') throw new ConfigError('KASSA_WORKERS: an in-memory database cannot be shared by several processes; use 1');

  const metricsToken = env.KASSA_METRICS_TOKEN;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,200}$/.test(metricsToken)) {
    throw new ConfigError('KASSA_METRICS_TOKEN: must be 16–200 visible ASCII characters (no spaces)');
  }
  const allowPrivateRaw = env.KASSA_OUTBOUND_ALLOW_PRIVATE?.trim().toLowerCase() || 'false';
  if (allowPrivateRaw !== 'true' && allowPrivateRaw !== 'false') throw new ConfigError(`KASSA_OUTBOUND_ALLOW_PRIVATE: must be "true" or "false", got "${env.KASSA_OUTBOUND_ALLOW_PRIVATE}"`);
  const outbound: OutboundPolicy = Object.freeze({ mode: modeRaw, allowPrivate: allowPrivateRaw === 'true', trustedOrigin: publicUrl });

  return Object.freeze({ host, port, mode: modeRaw, store, sandboxMerchant, logLevel, tokenSecret, publicUrl, pollIntervalMs, workers, metricsToken, outbound });
}

function parseInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name}: must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name}: must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function parseDatabaseUrl(raw: string | undefined, cwd: string): StoreConfig {
  if (raw === undefined || raw.trim() === '') return { kind: 'sqlite', path: resolve(cwd, 'data', 'kassa.db') };
  const value = raw.trim();
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL: sqlite: needs a path, e.g. sqlite:./data/kassa.db');
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(cwd, path) };
  }
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError('DATABASE_URL: not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: value };
  }
  throw new ConfigError('DATABASE_URL: must start with sqlite: or postgres:// (or be unset for ./data/kassa.db)');
}
