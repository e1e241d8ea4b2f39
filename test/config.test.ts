/** Configuration is resolved once and a bad value stops start-up naming the variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';

describe('loadConfig', () => {
  it('defaults to SQLite under ./data, sandbox mode, 127.0.0.1:4545', () => {
    const c = loadConfig({}, '/srv/kassa');
    expect(c).toMatchObject({ host: '127.0.0.1', port: 4545, mode: 'sandbox', store: { kind: 'sqlite', path: '/srv/kassa/data/kassa.db' }, publicUrl: 'http://127.0.0.1:4545' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('serves from one process unless KASSA_WORKERS asks for more (auto: one per core)', async () => {
    const { availableParallelism } = await import('node:os');
    expect(loadConfig({}, '/x').workers).toBe(1);
    expect(loadConfig({ KASSA_WORKERS: '3' }, '/x').workers).toBe(3);
    expect(loadConfig({ KASSA_WORKERS: 'auto' }, '/x').workers).toBe(availableParallelism());
    expect(() => loadConfig({ KASSA_WORKERS: '0' }, '/x')).toThrow(/^KASSA_WORKERS/);
    expect(() => loadConfig({ KASSA_WORKERS: 'many' }, '/x')).toThrow(/^KASSA_WORKERS/);
    expect(() => loadConfig({ KASSA_WORKERS: '2', DATABASE_URL: 'sqlite::memory:' }, '/x')).toThrow(/^KASSA_WORKERS: an in-memory database/);
  });

  it('builds the outbound rule: mode, KASSA_OUTBOUND_ALLOW_PRIVATE (default false), and the public origin as trusted', () => {
    expect(loadConfig({}, '/x').outbound).toEqual({ mode: 'sandbox', allowPrivate: false, trustedOrigin: 'http://127.0.0.1:4545' });
    expect(loadConfig({ KASSA_MODE: 'live', KASSA_OUTBOUND_ALLOW_PRIVATE: 'true', KASSA_PUBLIC_URL: 'https://pay.example/base' }, '/x').outbound).toEqual({
      mode: 'live',
      allowPrivate: true,
      trustedOrigin: 'https://pay.example',
    });
    expect(() => loadConfig({ KASSA_OUTBOUND_ALLOW_PRIVATE: 'yes' }, '/x')).toThrow(/^KASSA_OUTBOUND_ALLOW_PRIVATE: must be "true" or "false"/);
  });

  it('reads DATABASE_URL, PORT, HOST, KASSA_MODE and KASSA_SANDBOX_MERCHANT', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/kassa', PORT: '8080', HOST: '0.0.0.0', KASSA_MODE: 'live', KASSA_SANDBOX_MERCHANT: 'shop:secret-123' }, '/x');
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', mode: 'live', store: { kind: 'postgres', url: 'postgres://u@db:5432/kassa' }, sandboxMerchant: { username: 'shop', password: 'secret-123' } });
    expect(loadConfig({ DATABASE_URL: 'sqlite:./d/k.db' }, '/x').store).toEqual({ kind: 'sqlite', path: '/x/d/k.db' });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ KASSA_MODE: 'prod' }, 'KASSA_MODE'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ KASSA_SANDBOX_MERCHANT: 'no-colon' }, 'KASSA_SANDBOX_MERCHANT'],
    [{ KASSA_SANDBOX_MERCHANT: 'u:short' }, 'KASSA_SANDBOX_MERCHANT'],
    [{ KASSA_LOG_LEVEL: 'loud' }, 'KASSA_LOG_LEVEL'],
    [{ KASSA_PUBLIC_URL: 'ftp://x' }, 'KASSA_PUBLIC_URL'],
    [{ KASSA_TYPO: '1' }, 'KASSA_TYPO'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => loadConfig(env, '/x')).toThrow(ConfigError);
    expect(() => loadConfig(env, '/x')).toThrow(new RegExp(`^${name}`));
  });
});
