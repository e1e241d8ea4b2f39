/**
 * The requests log's HTML fragments: the table's columns and links, paging, the empty state, the
 * detail's pretty-printed bodies, and escaping of everything a client could have sent.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/dashboard/html.js';
import { renderRequestDetail, renderRequestList } from '../../src/dashboard/requests-view.js';
import type { RequestLogRecord } from '../../src/store/port.js';

const entry = (extra: Partial<RequestLogRecord> = {}): RequestLogRecord => ({
  id: 'req-1',
  accountId: 'acc-1',
  at: Date.parse('2026-01-15T10:00:00.123Z'),
  method: 'POST',
  path: '/payments/v1/sessions',
  route: '/payments/v1/sessions',
  statusCode: 200,
  durationMs: 12,
  correlationId: 'corr-1',
  requestBody: '{"purchase_country":"SE","order_lines":[{"name":"Tee"}]}',
  responseBody: '{"session_id":"s1","client_token":"[redacted]"}',
  ...extra,
});

const hostile = '<script>alert("x")</script>&\'';

describe('renderRequestList', () => {
  it('renders a table with time, method, path, status, duration and correlation id, linking each row to its detail', () => {
    const html = renderRequestList([entry(), entry({ id: 'req-2', correlationId: 'corr 2/x', statusCode: 404, method: 'GET', path: '/payments/v1/sessions/nope' })], { basePath: '/dashboard/requests/' });
    expect(html).toContain('<th scope="col">Time</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Correlation id</th>');
    expect(html).toContain('<time datetime="2026-01-15T10:00:00.123Z">2026-01-15 10:00:00.123 UTC</time>');
    expect(html).toContain('<a href="/dashboard/requests/corr-1">/payments/v1/sessions</a>');
    expect(html).toContain('<a href="/dashboard/requests/corr%202%2Fx">/payments/v1/sessions/nope</a>');
    expect(html).toContain('<span class="status status-2xx">200</span>');
    expect(html).toContain('<span class="status status-4xx">404</span>');
    expect(html).toContain('12 ms');
    expect(html.indexOf('corr-1')).toBeLessThan(html.indexOf('corr 2/x')); // in the order given (newest first)
    expect(html).not.toContain('Older requests');
  });

  it('links to older entries when told there are some, and says when there is nothing', () => {
    expect(renderRequestList([entry()], { basePath: '/dashboard/requests', nextBefore: 'req-1&x' })).toContain('<a href="/dashboard/requests?before=req-1%26x">Older requests</a>');
    expect(renderRequestList([], { basePath: '/dashboard/requests' })).toMatch(/^<p class="empty">No API requests yet\./);
  });

  it('escapes every value a client could have sent', () => {
    const html = renderRequestList([entry({ method: hostile, path: `/x?q=${hostile}`, correlationId: hostile })], { basePath: '/d"><script>' });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('"x"');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html).toContain('href="/d&quot;&gt;&lt;script&gt;/%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E%26&#39;"');
  });
});

describe('renderRequestDetail', () => {
  it('shows the request with both bodies pretty-printed', () => {
    const html = renderRequestDetail(entry({ idempotencyKey: 'idem-1' }));
    expect(html).toContain('<h2><span class="mono">POST /payments/v1/sessions</span></h2>');
    expect(html).toContain('<dt>Correlation id</dt><dd><span class="mono">corr-1</span></dd>');
    expect(html).toContain('<dt>Idempotency key</dt><dd><span class="mono">idem-1</span></dd>');
    expect(html).toContain('<dt>Duration</dt><dd>12 ms</dd>');
    expect(html).toContain(escapeHtml(JSON.stringify({ purchase_country: 'SE', order_lines: [{ name: 'Tee' }] }, null, 2)));
    expect(html).toContain('&quot;client_token&quot;: &quot;[redacted]&quot;');
  });

  it('shows a body that does not parse (cut short) as it is, and says when there is none', () => {
    const html = renderRequestDetail(entry({ requestBody: '{"a":"b … [truncated: 99999 characters]', responseBody: undefined }));
    expect(html).toContain('{&quot;a&quot;:&quot;b … [truncated: 99999 characters]');
    expect(html).toContain('<h3>Response body</h3>\n  <p class="empty">No body.</p>');
    expect(html).toContain('<dt>Idempotency key</dt><dd>none</dd>');
  });

  it('escapes the path, keys and bodies', () => {
    const html = renderRequestDetail(entry({ path: `/x/${hostile}`, idempotencyKey: hostile, requestBody: JSON.stringify({ note: hostile }), responseBody: hostile }));
    expect(html).not.toContain('<script>');
    expect(html.match(/&lt;script&gt;/g)!.length).toBe(4);
  });
});
