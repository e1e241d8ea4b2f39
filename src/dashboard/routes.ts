/**
 * The dashboard's routes, under /dashboard (docs/dashboard.md). Pages are server-rendered HTML,
 * hidden from /openapi.json. Everything but the sign-in page and the static files needs a signed-in
 * session (session.ts); every object is read as the session's account, so another account's id
 * answers 404 exactly as in the API. Every POST needs the session's CSRF token and is refused when
 * it comes from another site. Sandbox-only parts (test clock, settle/dispute, fraud decisions) do
 * not exist in live mode (404).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { webhookOutboxKind } from '../app/webhooks/publish.js';
import { KassaError } from '../domain/errors.js';
import { dashboardLimits, limits } from '../domain/limits.js';
import type { OrderState } from '../domain/order/order-state.js';
import { settlementId, settlementType, type SettlementState } from '../domain/settlement/settlement.js';
import { notificationConfigId, notificationConfigType, type NotificationConfig } from '../domain/webhooks/notification-config.js';
import type { App } from '../http/app.js';
import type { AppDeps } from '../http/deps.js';
import { replayDelivery } from '../app/webhooks/replay-delivery.js';
import { advanceClock } from '../http/routes/sandbox.js';
import { PathId } from '../http/schemas.js';
import type { AccountRecord } from '../store/port.js';
import { sendStatic } from '../web/static-files.js';
import { advanceUnits, renderClock } from './clock-page.js';
import { doneMessages, merchantOrderActions, orderActions, runFormCommand, type Form } from './commands.js';
import { merchantRuntimeFor } from '../app/merchant/merchant-runtime.js';
import { renderHome } from './home-page.js';
import { html, raw, type Html } from './html.js';
import { renderRequestDetail, renderRequestList } from './requests-view.js';
import { dashboardMetricsSummary } from '../metrics/dashboard-summary.js';
import { notice, page, pageHeaders, type PageContext } from './layout.js';
import { closeAllStreams, liveStream, type OpenStreams } from './live.js';
import { listObjects, renderList } from './object-list.js';
import { kindBySlug, objectKinds, objectLink, type ObjectKind } from './object-kinds.js';
import { renderObjectPage } from './object-page.js';
import { clearCookie, DashboardSessions, preSessionCookie, readCookie, sameToken, sessionCookie, setCookie, type DashboardSession } from './session.js';
import { renderSignIn } from './sign-in-page.js';
import { timelineOf } from './timeline.js';
import { renderDelivery, renderWebhooks } from './webhooks-page.js';

declare module 'fastify' {
  interface FastifyRequest {
    dashboard?: DashboardSession;
  }
}

const hide = { hide: true } as const;
const IdParams = Type.Object({ id: PathId });
const KindParams = Type.Object({ kind: Type.String({ maxLength: 50 }) });
const KindIdParams = Type.Object({ kind: Type.String({ maxLength: 50 }), id: PathId });
const ListQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 200 })), state: Type.Optional(Type.String({ maxLength: 50 })), before: Type.Optional(Type.String({ maxLength: 400 })), done: Type.Optional(Type.String({ maxLength: 20 })), fired: Type.Optional(Type.String({ maxLength: 6 })) },
  { additionalProperties: false },
);
const RequestsQuery = Type.Object({ before: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
const CorrelationParams = Type.Object({ correlationId: Type.String({ minLength: 1, maxLength: 128 }) });
const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })), fired: Type.Optional(Type.String({ maxLength: 6 })) }, { additionalProperties: false });
const SignInQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })), signed_out: Type.Optional(Type.String({ maxLength: 1 })) }, { additionalProperties: false });

export function dashboardRoutes(app: App, deps: AppDeps): void {
  const sessions = new DashboardSessions(deps);
  const streams: OpenStreams = new Set();
  const store = deps.engine.store;
  const sandbox = deps.config.mode === 'sandbox';

  app.addHook('preClose', async () => closeAllStreams(streams));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: dashboardLimits.formBytesMax }, (_request, body, done) => {
    const form: Form = Object.create(null);
    for (const [k, v] of new URLSearchParams(body as string)) form[k] = v;
    done(null, form);
  });

  app.setErrorHandler((caught, request, reply) => {
    const error = caught as Error & { validation?: unknown; statusCode?: number };
    const known = error instanceof KassaError ? error : (error as { validation?: unknown }).validation ? new KassaError('BAD_REQUEST', [error.message]) : undefined;
    const status = known ? known.spec.status : ((error as { statusCode?: number }).statusCode ?? 500);
    if (status >= 500) request.log.error({ err: error }, 'dashboard error');
    const message = known ? known.messages.join(' ') : status < 500 ? error.message : 'Something went wrong. The error was logged.';
    const title = status === 404 ? 'Not found' : status === 401 ? 'Sign in' : status === 403 ? 'Refused' : 'Error';
    return send(request, reply, title, html`<h1>${title}</h1>${notice('error', message)}<p><a href="/dashboard">Back to the dashboard</a></p>`, status);
  });

  const ctxOf = (request: FastifyRequest, section?: string): PageContext => ({
    username: request.dashboard?.account.username,
    mode: deps.config.mode,
    csrf: request.dashboard?.csrf,
    section,
  });

  function send(request: FastifyRequest, reply: FastifyReply, title: string, body: Html, status = 200, options: { section?: string; live?: string } = {}): FastifyReply {
    return pageHeaders(reply).code(status).send(page(ctxOf(request, options.section), title, body, { live: options.live }).value);
  }

  const redirect = (reply: FastifyReply, to: string) => reply.header('Cache-Control', 'no-store').redirect(to, 303);

  /** Sets request.dashboard, or sends the browser to sign in. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = await sessions.verify(readCookie(request, sessionCookie));
    if (session) {
      request.dashboard = session;
      return;
    }
    if (request.method === 'GET' && !request.url.endsWith('/live')) {
      await redirect(reply, `/dashboard/sign-in?next=${encodeURIComponent(request.url)}`);
      return reply;
    }
    throw new KassaError('UNAUTHORIZED', ['Your dashboard session has ended: sign in again.']);
  }

  /** POSTs come from this site's own pages only: no cross-site request, and the session's CSRF token. */
  async function sameSite(request: FastifyRequest): Promise<void> {
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || (origin !== undefined && (origin === 'null' || !sameHost(origin, request.headers.host)))) {
      throw new KassaError('FORBIDDEN', ['Cross-site form submissions are refused.']);
    }
    if (request.dashboard && !sameToken((request.body as Form | undefined)?._csrf, request.dashboard.csrf)) {
      throw new KassaError('FORBIDDEN', ['The form is stale or was not sent from the dashboard (CSRF token missing or wrong). Reload the page and try again.']);
    }
  }

  function onlySandbox(): void {
    if (!sandbox) throw new KassaError('ROUTE_NOT_FOUND', ['Sandbox-only: not available in live mode']);
  }

  const page_ = { preHandler: [signedIn] };
  const post_ = { preHandler: [signedIn, sameSite] };
  const account = (request: FastifyRequest): AccountRecord => request.dashboard!.account;
  const formKey = () => deps.engine.random.token(16);
  const doneNotice = (query: { done?: string; fired?: string }): Html | undefined => {
    const text = query.done ? doneMessages[query.done] : undefined;
    if (!text) return undefined;
    const fired = query.fired && /^\d{1,6}$/.test(query.fired) ? ` ${query.fired} timer${query.fired === '1' ? '' : 's'} fired.` : '';
    return notice('ok', text + fired);
  };

  // Static files (stylesheet, live-update script)
  app.get('/dashboard/static/:file', { schema: { ...hide, params: Type.Object({ file: Type.String({ maxLength: 100 }) }) } }, async (request, reply) =>
    sendStatic(reply, 'dashboard', (request.params as { file: string }).file),
  );

  // Sign-in and sign-out
  app.get('/dashboard/sign-in', { schema: { ...hide, querystring: SignInQuery } }, async (request, reply) => {
    const query = request.query as { next?: string; signed_out?: string };
    if (await sessions.verify(readCookie(request, sessionCookie))) return redirect(reply, safeNext(query.next));
    const pre = deps.engine.random.token(16);
    setCookie(deps, request, reply, preSessionCookie, pre, 3600_000);
    return send(request, reply, 'Sign in', renderSignIn(pre, { next: query.next ? safeNext(query.next) : undefined, signedOut: query.signed_out === '1', expired: Boolean(query.next) }));
  });

  app.post('/dashboard/sign-in', { schema: hide, preHandler: [sameSite] }, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const next = form.next ? safeNext(form.next) : undefined;
    const retry = (status: number, error: string) => {
      const pre = deps.engine.random.token(16);
      setCookie(deps, request, reply, preSessionCookie, pre, 3600_000);
      return send(request, reply, 'Sign in', renderSignIn(pre, { next, error, username: form.username }), status);
    };
    if (!sameToken(form._pre, readCookie(request, preSessionCookie))) return retry(403, 'The sign-in form expired or was not sent from this page. Please try again.');
    const verdict = await verifyCredentials(request.ip, form.username ?? '', form.password ?? '');
    if (verdict && 'retryAfterSeconds' in verdict) {
      const seconds = verdict.retryAfterSeconds;
      reply.header('Retry-After', String(seconds));
      return retry(429, `Too many failed sign-ins. Try again in ${Math.ceil(seconds / 60)} minute${seconds > 60 ? 's' : ''}.`);
    }
    const account = verdict;
    if (!account) return retry(401, 'Wrong username or password.');
    clearCookie(deps, request, reply, preSessionCookie);
    setCookie(deps, request, reply, sessionCookie, await sessions.issue(account), dashboardLimits.sessionTtlMs);
    return redirect(reply, next ?? '/dashboard');
  });

  /**
   * The one place the dashboard checks credentials: the API's own check (src/app/accounts.ts) behind
   * the same failed-sign-in throttle as HTTP Basic (src/app/sign-in-throttle.ts), so the form is no
   * way around it.
   */
  async function verifyCredentials(address: string, username: string, password: string): Promise<AccountRecord | undefined | { retryAfterSeconds: number }> {
    if (!username || !password || username.length > limits.usernameCharsMax || password.length > 1024) return undefined;
    const attempt = deps.signInThrottle.begin(username, address);
    if (!attempt.allowed) return { retryAfterSeconds: attempt.retryAfterSeconds };
    let account: AccountRecord | undefined;
    try {
      account = await deps.accounts.authenticate(username, password);
    } finally {
      attempt.done(account !== undefined);
    }
    return account;
  }

  app.post('/dashboard/sign-out', { schema: hide, ...post_ }, async (request, reply) => {
    clearCookie(deps, request, reply, sessionCookie);
    return redirect(reply, '/dashboard/sign-in?signed_out=1');
  });

  // Home
  app.get('/dashboard', { schema: hide, ...page_ }, async (request, reply) => {
    const acct = account(request);
    const recent = await Promise.all(
      objectKinds.slice(0, 3).map(async (kind) => ({ kind, rows: await store.listRecentAggregates(acct.id, kind.type, { limit: 5 }) })),
    );
    const metrics = await dashboardMetricsSummary();
    return send(request, reply, 'Home', renderHome(ctxOf(request, 'home'), { accountId: acct.id, now: deps.engine.accountNow(acct), recent, metrics }), 200, { section: 'home' });
  });

  // Requests log (the account's own API requests, redacted; src/http/request-log.ts)
  app.get('/dashboard/requests', { schema: { ...hide, querystring: RequestsQuery }, ...page_ }, async (request, reply) => {
    const { before } = request.query as { before?: string };
    const pageSize = dashboardLimits.requestsShownMax;
    const entries = await deps.requestLog.list(account(request).id, { limit: pageSize + 1, before });
    const shown = entries.slice(0, pageSize);
    const nextBefore = entries.length > pageSize ? shown[shown.length - 1]?.id : undefined;
    const body = html`<h1>Requests</h1><p class="muted">The latest API requests made with this account's credentials, newest first, with secrets and tokens redacted.</p>${raw(renderRequestList(shown, { basePath: '/dashboard/requests', nextBefore }))}`;
    return send(request, reply, 'Requests', body, 200, { section: 'requests' });
  });
  app.get('/dashboard/requests/:correlationId', { schema: { ...hide, params: CorrelationParams }, ...page_ }, async (request, reply) => {
    const { correlationId } = request.params as { correlationId: string };
    const entry = await deps.requestLog.get(account(request).id, correlationId);
    if (!entry) throw new KassaError('NOT_FOUND', ['No such request in this account\'s requests log']);
    return send(request, reply, `Request ${correlationId}`, html`<p><a href="/dashboard/requests">All requests</a></p>${raw(renderRequestDetail(entry))}`, 200, { section: 'requests' });
  });

  // Webhooks and deliveries
  app.get('/dashboard/webhooks', { schema: { ...hide, querystring: DoneQuery }, ...page_ }, async (request, reply) => {
    const acct = account(request);
    const config = (await store.getAggregate<NotificationConfig>(acct.id, notificationConfigType, notificationConfigId))?.state ?? { signing_keys: [], webhooks: [] };
    const deliveries = await store.listOutbox(acct.id, {}, { limit: dashboardLimits.deliveriesShownMax, newestFirst: true });
    return send(request, reply, 'Webhooks', html`${doneNotice(request.query as object)}${renderWebhooks(config, deliveries)}`, 200, { section: 'webhooks' });
  });

  const deliveryOf = async (accountId: string, id: string) => {
    const row = await store.getOutbox(id);
    if (!row || row.accountId !== accountId) throw new KassaError('NOT_FOUND', ['No such delivery']);
    return row;
  };
  const renderDeliveryPage = async (request: FastifyRequest, reply: FastifyReply, id: string, status = 200, message?: Html) => {
    const row = await deliveryOf(account(request).id, id);
    const body = renderDelivery(ctxOf(request), row, await store.listAttempts(row.id), formKey());
    return send(request, reply, `Delivery ${row.id}`, html`${message}${body}`, status, { section: 'webhooks' });
  };
  app.get('/dashboard/deliveries/:id', { schema: { ...hide, params: IdParams, querystring: DoneQuery }, ...page_ }, async (request, reply) =>
    renderDeliveryPage(request, reply, (request.params as { id: string }).id, 200, doneNotice(request.query as object)),
  );
  app.post('/dashboard/deliveries/:id/replay', { schema: { ...hide, params: IdParams }, ...post_ }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const acct = account(request);
    let newId: string | undefined;
    try {
      const outcome = await runFormCommand(deps, request, acct, 'replay', request.body as Form, async (uow) => {
        const row = await deliveryOf(uow.accountId, id);
        if (row.kind !== webhookOutboxKind) throw new KassaError('NOT_ALLOWED', ['Only webhook deliveries can be replayed; merchant notifications are retried automatically.']);
        const config = (await uow.load<NotificationConfig>(notificationConfigType, notificationConfigId)) ?? { signing_keys: [], webhooks: [] };
        const webhook = config.webhooks.find((w) => w.webhook_id === row.ref);
        if (!webhook) throw new KassaError('NOT_FOUND', ['The webhook of this delivery was deleted']);
        newId = String((await replayDelivery(uow, row, webhook)).delivery_id);
      });
      if (outcome.ran) deps.outbox.kick();
      return redirect(reply, newId ? `/dashboard/deliveries/${encodeURIComponent(newId)}?done=replayed` : `/dashboard/deliveries/${encodeURIComponent(id)}?done=repeated`);
    } catch (error) {
      if (error instanceof KassaError && error.spec.status !== 404) return renderDeliveryPage(request, reply, id, error.spec.status, notice('error', error.messages.join(' ')));
      throw error;
    }
  });

  // Test clock (sandbox)
  const renderClockPage = async (request: FastifyRequest, reply: FastifyReply, status = 200, message?: Html) => {
    // The session check read the account for this request: its clock offset is current.
    const acct = account(request);
    const now = deps.engine.accountNow(acct);
    const timers = await store.dueTimers(acct.id, Number.MAX_SAFE_INTEGER, dashboardLimits.deadlinesShownMax);
    const body = renderClock(ctxOf(request, 'clock'), { now, offsetMs: acct.clockOffsetMs, timers, total: await store.countTimers(acct.id), formKey: formKey() });
    return send(request, reply, 'Test clock', html`${message}${body}`, status, { section: 'clock' });
  };
  app.get('/dashboard/clock', { schema: { ...hide, querystring: DoneQuery }, ...page_ }, async (request, reply) => {
    onlySandbox();
    return renderClockPage(request, reply, 200, doneNotice(request.query as object));
  });
  app.post('/dashboard/clock/advance', { schema: hide, ...post_ }, async (request, reply) => {
    onlySandbox();
    const form = request.body as Form;
    try {
      const unit = advanceUnits[form.unit as keyof typeof advanceUnits];
      if (!unit) throw new KassaError('BAD_VALUE', ['Bad value: unit (minutes, hours or days)']);
      const amount = (form.amount ?? '').trim();
      if (!/^[0-9]{1,6}$/.test(amount) || Number(amount) < 1) throw new KassaError('BAD_VALUE', ['Bad value: amount (a whole number, at least 1)']);
      const seconds = Number(amount) * unit;
      if (seconds > limits.clockAdvanceSecondsMax) throw new KassaError('BAD_VALUE', [`Bad value: amount (at most ${limits.clockAdvanceSecondsMax / 86_400} days at once)`]);
      const outcome = await runFormCommand(deps, request, account(request), 'clock-advance', form, advanceClock(deps, seconds));
      const fired = (outcome.result?.body as { timers_fired?: number } | undefined)?.timers_fired;
      return redirect(reply, outcome.ran ? `/dashboard/clock?done=advanced&fired=${fired ?? 0}` : '/dashboard/clock?done=repeated');
    } catch (error) {
      if (error instanceof KassaError && error.spec.status < 500) return renderClockPage(request, reply, error.spec.status, notice('error', error.messages.join(' ')));
      throw error;
    }
  });

  // Objects: lists, pages, live streams
  const kindOf = (slug: string): ObjectKind => {
    const kind = kindBySlug(slug);
    if (!kind) throw new KassaError('ROUTE_NOT_FOUND', ['No such page']);
    return kind;
  };

  app.get('/dashboard/:kind', { schema: { ...hide, params: KindParams, querystring: ListQuery }, ...page_ }, async (request, reply) => {
    const kind = kindOf((request.params as { kind: string }).kind);
    const query = request.query as { q?: string; state?: string; before?: string };
    const q = { q: query.q || undefined, state: query.state && kind.machine.states.includes(query.state) ? query.state : undefined, before: query.before };
    const result = await listObjects(store, account(request).id, kind, q);
    return send(request, reply, kind.title, renderList(kind, q, result), 200, { section: kind.slug });
  });

  const loadObject = async (accountId: string, kind: ObjectKind, id: string) => {
    const record = await store.getAggregate(accountId, kind.type, id);
    if (!record) throw new KassaError('NOT_FOUND', [`No ${kind.singular.toLowerCase()} with id ${id}`]);
    return record;
  };

  async function renderObject(request: FastifyRequest, reply: FastifyReply, kind: ObjectKind, id: string, status = 200, message?: Html): Promise<FastifyReply> {
    const acct = account(request);
    const record = await loadObject(acct.id, kind, id);
    const timeline = await timelineOf(store, acct.id, kind.type, id, record.state, (correlationId) => deps.requestLog.get(acct.id, correlationId));
    const settlements = new Map<string, SettlementState>();
    if (kind.type === 'order') {
      const captures = (record.state as OrderState).captures;
      const found = await Promise.all(captures.map((c) => store.getAggregate<SettlementState>(acct.id, settlementType, settlementId(id, c.capture_id))));
      found.forEach((s, i) => s && settlements.set(captures[i]!.capture_id, s.state));
    }
    // The session check read the account for this request: its clock offset is current.
    const body = renderObjectPage(ctxOf(request, kind.slug), { kind, record, timeline, settlements, accountNow: deps.engine.accountNow(acct), formKey });
    return send(request, reply, `${kind.singular} ${id}`, html`${message}${body}`, status, { section: kind.slug, live: `${objectLink(kind, id)}/live` });
  }

  app.get('/dashboard/:kind/:id', { schema: { ...hide, params: KindIdParams, querystring: DoneQuery }, ...page_ }, async (request, reply) => {
    const { kind, id } = request.params as { kind: string; id: string };
    return renderObject(request, reply, kindOf(kind), id, 200, doneNotice(request.query as object));
  });

  app.get('/dashboard/:kind/:id/live', { schema: { ...hide, params: KindIdParams }, ...page_ }, async (request, reply) => {
    const { kind: slug, id } = request.params as { kind: string; id: string };
    const kind = kindOf(slug);
    const accountId = account(request).id;
    await loadObject(accountId, kind, id);
    const fingerprint = async () => {
      const record = await store.getAggregate(accountId, kind.type, id);
      const rows = await store.listOutbox(accountId, { ref: id }, { limit: 50, newestFirst: true });
      const settlements = kind.type === 'order' ? await Promise.all(((record?.state as OrderState | undefined)?.captures ?? []).map((c) => store.getAggregate(accountId, settlementType, settlementId(id, c.capture_id)))) : [];
      return [record?.version ?? 0, ...settlements.map((s) => s?.version ?? 0), ...rows.map((r) => `${r.id}:${r.status}:${r.attempts}`)].join('|');
    };
    await liveStream(deps, streams, request, reply, accountId, id, fingerprint);
  });

  // Order actions
  for (const [path, action] of Object.entries(orderActions)) {
    const params = path.includes(':capture_id') ? Type.Object({ id: PathId, capture_id: PathId }) : IdParams;
    app.post(`/dashboard/orders/:id/${path}`, { schema: { ...hide, params }, ...post_ }, async (request, reply) => {
      if (action.sandbox) onlySandbox();
      const p = request.params as Record<string, string>;
      const orders = kindOf('orders');
      try {
        const outcome = await runFormCommand(deps, request, account(request), `order ${path}`, request.body as Form, (uow) => action.run(uow, p.id!, request.body as Form, p));
        return redirect(reply, `${objectLink(orders, p.id!)}?done=${outcome.ran ? action.done : 'repeated'}`);
      } catch (error) {
        if (error instanceof KassaError && error.spec.status < 500 && error.spec.status !== 404) return renderObject(request, reply, orders, p.id!, error.spec.status, notice('error', error.messages.join(' ')));
        throw error;
      }
    });
  }

  // Anything else under /dashboard: a page saying so, not the API's JSON 404.
  app.route({
    method: ['GET', 'POST'],
    url: '/dashboard/*',
    schema: hide,
    ...page_,
    handler: async () => {
      throw new KassaError('ROUTE_NOT_FOUND', ['There is no such page in the dashboard.']);
    },
  });

  // Merchant-order actions
  for (const [path, action] of Object.entries(merchantOrderActions)) {
    app.post(`/dashboard/merchant-orders/:id/${path}`, { schema: { ...hide, params: IdParams }, ...post_ }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const kind = kindOf('merchant-orders');
      const acct = account(request);
      const runtime = merchantRuntimeFor(deps);
      try {
        const form = request.body as Form;
        const outcome = await runFormCommand(deps, request, acct, `merchant-order ${path}`, form, async (uow) => {
          await runtime.command(uow, id, action.command(form));
          return { status: 200, afterCommit: async () => void (await runtime.drive(acct, id)) };
        });
        return redirect(reply, `${objectLink(kind, id)}?done=${outcome.ran ? action.done : 'repeated'}`);
      } catch (error) {
        if (error instanceof KassaError && error.spec.status < 500 && error.spec.status !== 404) return renderObject(request, reply, kind, id, error.spec.status, notice('error', error.messages.join(' ')));
        throw error;
      }
    });
  }
}

/** Whether an Origin header names the host the request was sent to (default ports normalised). */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    const from = new URL(origin);
    return host !== undefined && from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/** Only a path inside the dashboard is a place to go back to after signing in. */
function safeNext(next: string | undefined): string {
  return next && /^\/dashboard(?:[/?]|$)/.test(next) && !next.startsWith('//') && !next.includes('\\') ? next : '/dashboard';
}
