/**
 * GET /metrics: who may read it (loopback by default, a bearer token when configured) and the
 * metric families it exposes, each seen moving: requests by route and status, commit groups and
 * WAL syncs, timers due and firing lag, the outbox backlog, attempts and failed deliveries; and the
 * dashboard's summary of them. Metrics are process-wide, so checks compare before and after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardMetricsSummary } from '../../src/metrics/dashboard-summary.js';
import { bucketQuantile } from '../../src/metrics/metrics.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';

let t: TestKassa | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function scrape(kassa: TestKassa): Promise<string> {
  const res = await kassa.request('GET', '/metrics', { merchant: null });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return res.body;
}

/** The sample `name{labels}` (labels as printed, in order) of a scrape; 0 when absent. */
function sample(text: string, name: string, labels = ''): number {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}

describe('GET /metrics access', () => {
  it('answers loopback clients without credentials, and refuses others with 403 when no token is set', async () => {
    t = await startTestKassa();
    expect((await t.kassa.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    expect((await t.kassa.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
    const remote = await t.kassa.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toMatchObject({ error_code: 'FORBIDDEN', correlation_id: remote.headers['klarna-correlation-id'] });
    // A merchant's credentials open nothing here.
    const merchant = await t.kassa.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7', headers: { authorization: t.merchant.authorization } });
    expect(merchant.statusCode).toBe(403);
  });

  it('with KASSA_METRICS_TOKEN, answers the bearer of the token from anywhere and no one else', async () => {
    const token = 'metrics-token-0123456789abcdef';
    t = await startTestKassa({ env: { KASSA_METRICS_TOKEN: token } });
    const ask = (headers: Record<string, string>, remoteAddress = '203.0.113.7') => t!.kassa.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
    expect((await ask({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
    const missing = await ask({}, '127.0.0.1');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toContain('Bearer');
    expect((await ask({ authorization: `Bearer ${token}x` })).statusCode).toBe(401);
    expect((await ask({ authorization: t.merchant.authorization })).statusCode).toBe(401);
  });
});

describe('GET /metrics families', () => {
  it('counts requests by method, route and status with latency buckets', async () => {
    t = await startTestKassa();
    const series = 'method="POST",route="/payments/v1/sessions",status="200"';
    const before = sample(await scrape(t), 'kassa_http_request_duration_seconds_count', series);
    await t.request('POST', '/payments/v1/sessions', { body: swedishOrder() });
    await t.request('POST', '/payments/v1/sessions', { body: swedishOrder() });
    const bad = await t.request('POST', '/payments/v1/sessions', { body: {} });
    expect(bad.statusCode).toBe(400);
    const text = await scrape(t);
    expect(sample(text, 'kassa_http_request_duration_seconds_count', series) - before).toBe(2);
    expect(sample(text, 'kassa_http_request_duration_seconds_count', 'method="POST",route="/payments/v1/sessions",status="400"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kassa_http_request_duration_seconds_bucket', `le="+Inf",${series}`)).toBe(sample(text, 'kassa_http_request_duration_seconds_count', series));
    expect(text).toContain('# TYPE kassa_http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE kassa_process_cpu_seconds_total counter')
    expect(text).toContain('# TYPE kassa_nodejs_eventloop_lag_p99_seconds gauge');
  });

  it('reports commit group sizes and WAL sync latency of a file-backed SQLite store', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kassa-metrics-'));
    t = await startTestKassa({ store: new SqliteStore({ path: join(dir, 'kassa.db') }) });
    const before = await scrape(t);
    await Promise.all([1, 2, 3].map(() => t!.request('POST', '/payments/v1/sessions', { body: swedishOrder() })));
    const after = await scrape(t);
    const groups = sample(after, 'kassa_store_commit_group_size_count', 'store="sqlite"') - sample(before, 'kassa_store_commit_group_size_count', 'store="sqlite"');
    const batches = sample(after, 'kassa_store_commit_group_size_sum', 'store="sqlite"') - sample(before, 'kassa_store_commit_group_size_sum', 'store="sqlite"');
    expect(groups).toBeGreaterThanOrEqual(1);
    expect(batches).toBeGreaterThanOrEqual(3); // three sessions, in one or more groups
    expect(sample(after, 'kassa_store_sync_duration_seconds_count', 'store="sqlite"')).toBeGreaterThan(sample(before, 'kassa_store_sync_duration_seconds_count', 'store="sqlite"'));
    expect(after).toContain('# TYPE kassa_store_sync_duration_seconds histogram');
  });

  it('reports timers due, timers fired and their firing lag', async () => {
    t = await startTestKassa();
    await t.request('POST', '/payments/v1/sessions', { body: swedishOrder() });
    const before = await scrape(t);
    expect(sample(before, 'kassa_timers_due')).toBe(0);
    t.clock.advance(48 * 3600_000 + 5000); // system time passes (no test-clock move): the session's expiry is 5 s overdue
    const due = await scrape(t);
    expect(sample(due, 'kassa_timers_due')).toBe(1);
    const account = (await t.kassa.deps.engine.store.getAccount(t.merchant.accountId))!;
    await t.kassa.deps.timers.fireDue(account);
    const after = await scrape(t);
    expect(sample(after, 'kassa_timers_due')).toBe(0);
    expect(sample(after, 'kassa_timers_fired_total', 'kind="session.expire"') - sample(before, 'kassa_timers_fired_total', 'kind="session.expire"')).toBe(1);
    const lagCount = sample(after, 'kassa_timer_firing_lag_seconds_count') - sample(before, 'kassa_timer_firing_lag_seconds_count');
    const lagSum = sample(after, 'kassa_timer_firing_lag_seconds_sum') - sample(before, 'kassa_timer_firing_lag_seconds_sum');
    expect(lagCount).toBe(1);
    expect(lagSum).toBeCloseTo(5, 3);
  });

  it('reports the outbox backlog, delivery attempts by outcome and failed deliveries', async () => {
    t = await startTestKassa();
    const key = (await t.request('POST', '/v2/notification/signing-keys')).json();
    const hook = (
      await t.request('POST', '/v2/notification/webhooks', {
        body: { url: 'https://partner.example/hooks', event_types: ['*'], event_version: 'v2', signing_key_id: key.signing_key_id, status: 'ENABLED' },
      })
    ).json();
    const simulate = () => t!.request('POST', `/v2/notification/webhooks/${hook.webhook_id}/simulate`, { body: { event_type: 'payment.request.state-change.completed' } });
    const before = await scrape(t);
    expect((await simulate()).statusCode).toBeLessThan(300);
    expect((await simulate()).statusCode).toBeLessThan(300);
    expect(sample(await scrape(t), 'kassa_outbox_backlog')).toBe(2);

    t.transport.respond = () => 503;
    const account = (await t.kassa.deps.engine.store.getAccount(t.merchant.accountId))!;
    await t.kassa.deps.outbox.drain(account);
    const [row] = await t.kassa.deps.engine.store.listOutbox(t.merchant.accountId, {}, { limit: 1 });
    // The retry window closing is the dispatcher's rule (tested with webhooks); here the row is marked failed directly.
    await t.kassa.deps.engine.store.recordAttempt({ outboxId: row!.id, attempt: 2, at: t.clock.now(), statusCode: 503, error: null, latencyMs: 1 }, { status: 'failed', nextAttemptAt: t.clock.now() });
    const after = await scrape(t);
    expect(sample(after, 'kassa_outbox_backlog')).toBe(1);
    expect(sample(after, 'kassa_outbox_failed')).toBe(1);
    expect(sample(after, 'kassa_outbox_delivery_attempts_total', 'outcome="retry"') - sample(before, 'kassa_outbox_delivery_attempts_total', 'outcome="retry"')).toBe(2);
    expect(sample(after, 'kassa_outbox_delivery_duration_seconds_count') - sample(before, 'kassa_outbox_delivery_duration_seconds_count')).toBe(2);
    expect(after).toContain('# TYPE kassa_request_log_dropped_total counter');
  });

  it('interpolates a quantile within its bucket, as histogram_quantile does', () => {
    const bounds = [0.01, 0.1, 1];
    expect(bucketQuantile(bounds, [0, 0, 0, 0], 0.99)).toBeUndefined();
    expect(bucketQuantile(bounds, [100, 0, 0, 0], 0.99)).toBeCloseTo(0.0099, 6);
    expect(bucketQuantile(bounds, [90, 10, 0, 0], 0.99)).toBeCloseTo(0.01 + 0.09 * 0.9, 6);
    expect(bucketQuantile(bounds, [0, 0, 0, 5], 0.99)).toBe(1); // beyond the last bound
  });

  it("sums up the dashboard's figures", async () => {
    t = await startTestKassa();
    await t.request('POST', '/payments/v1/sessions', { body: swedishOrder() });
    const figures = await dashboardMetricsSummary();
    expect(figures.map((f) => f.label)).toEqual(['Requests in the last minute', 'p99 latency (last minute)', 'Webhooks waiting (outbox backlog)', 'Failed deliveries', 'Timers due']);
    expect(Number(figures[0]!.value.replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
    expect(figures[1]!.value).toMatch(/^\d+(\.\d+)? (ms|s)$/);
    expect(figures.slice(2).map((f) => f.value)).toEqual(['0', '0', '0']);
  });
});
