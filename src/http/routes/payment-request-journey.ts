/**
 * The customer side of a v2 payment request over HTTP:
 *
 * - `GET /journey/payment-requests/{id}` — the page behind `payment_request_url`. Opening it enters
 *   the purchase journey (SUBMITTED -> IN_PROGRESS) and shows the amount, an email field and
 *   Approve / Cancel buttons; on a final request it shows the outcome. Self-contained HTML (no
 *   scripts, no external assets) so the shared journey pages (issue 4) can restyle or absorb it.
 * - `POST /journey/payment-requests/{id}` — the page's form (`action=approve|abort`, `email`):
 *   runs the journey function and answers 303 to the redirect_url (the partner's return_url with
 *   its placeholders filled in).
 * - `POST /sandbox/v2/payment/requests/{id}/journey` — the same transitions headlessly, for tests
 *   and scripts: `{"action": "enter"|"approve"|"abort"|"decline", "customer": {...}}` answers
 *   `{payment_request, redirect_url, ignored}`.
 *
 * The pages are not authenticated (the customer's browser has no credentials): the request id
 * (a random UUID in a KRN) is the capability, as with Klarna's hosted journey URL. The owning
 * account is found through the request's lookup key.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { redirectUrlFor, runJourneyAction, type JourneyAction, type JourneyCustomer, type JourneyOutcome } from '../../app/payment-requests/journey.js';
import { paymentRequestLookups } from '../../app/payment-requests/payment-request-repo.js';
import { paymentRequestView } from '../../app/payment-requests/view.js';
import { limits } from '../../domain/limits.js';
import type { PaymentRequestState } from '../../domain/payment-request/payment-request-state.js';
import type { AccountRecord } from '../../store/port.js';
import type { App } from '../app.js';
import { basicAuth, requireSandbox } from '../auth.js';
import { runCommand } from '../command.js';
import type { AppDeps } from '../deps.js';
import { toKassaError } from '../errors.js';
import { IdempotencyHeader, v2Errors } from '../schemas.js';
import { PaymentRequest, RequestParams } from './payment-requests-v2-schemas.js';

const JourneyBody = Type.Object(
  {
    action: Type.Union([Type.Literal('enter'), Type.Literal('approve'), Type.Literal('abort'), Type.Literal('decline')]),
    customer: Type.Optional(
      Type.Object(
        {
          email: Type.Optional(Type.String({ maxLength: 255 })),
          phone: Type.Optional(Type.String({ maxLength: 50 })),
          given_name: Type.Optional(Type.String({ maxLength: 255 })),
          family_name: Type.Optional(Type.String({ maxLength: 255 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export function paymentRequestJourneyRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/sandbox/v2/payment/requests/:payment_request_id/journey',
    {
      onRequest: [requireSandbox(deps)],
      preHandler: [basicAuth(deps)],
      schema: {
        tags: ['sandbox'],
        summary: 'Drive the purchase journey of a payment request headlessly; answers the redirect_url the browser would get',
        params: RequestParams,
        headers: IdempotencyHeader,
        body: JourneyBody,
        response: { 200: Type.Object({ payment_request: PaymentRequest, redirect_url: Type.Union([Type.String(), Type.Null()]), ignored: Type.Boolean() }), ...v2Errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { payment_request_id: id } = request.params as { payment_request_id: string };
      const body = request.body as { action: JourneyAction; customer?: JourneyCustomer };
      return runCommand(deps, request, reply, async (uow) => {
        const outcome = await runJourneyAction(uow, id, body.action, body.customer);
        return { status: 200, body: { payment_request: paymentRequestView(outcome.request), redirect_url: outcome.redirect_url, ignored: outcome.ignored } };
      });
    },
  );

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: limits.journeyFormBytesMax }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  const ownerOf = async (id: string): Promise<AccountRecord | undefined> => {
    const found = await deps.engine.store.findLookup(paymentRequestLookups.id, id);
    return found ? deps.engine.store.getAccount(found.accountId) : undefined;
  };

  const run = async (reply: FastifyReply, correlationId: string, id: string, action: JourneyAction, customer?: JourneyCustomer): Promise<JourneyOutcome | undefined> => {
    const account = await ownerOf(id);
    if (!account) {
      sendPage(reply, 404, page('Payment not found', '<p>This payment link is not valid.</p>'));
      return undefined;
    }
    try {
      return await deps.engine.execute(account, correlationId, (uow) => runJourneyAction(uow, id, action, customer));
    } catch (error) {
      const known = toKassaError(error);
      if (!known) throw error;
      sendPage(reply, known.spec.status, page('Payment not possible', `<p>${escape(known.messages.join('; '))}</p>`));
      return undefined;
    }
  };

  app.get('/journey/payment-requests/:payment_request_id', { schema: { hide: true, params: RequestParams } }, async (request, reply) => {
    const { payment_request_id: id } = request.params as { payment_request_id: string };
    const outcome = await run(reply, request.correlationId, id, 'enter');
    if (!outcome) return reply;
    return sendPage(reply, 200, journeyPage(outcome.request));
  });

  app.post('/journey/payment-requests/:payment_request_id', { schema: { hide: true, params: RequestParams } }, async (request, reply) => {
    const { payment_request_id: id } = request.params as { payment_request_id: string };
    const form = (request.body ?? {}) as Record<string, string>;
    const action = form.action as JourneyAction;
    if (action !== 'approve' && action !== 'abort') {
      return sendPage(reply, 400, page('Payment not possible', `<p>Unknown action. Allowed: approve, abort.</p>`));
    }
    const email = typeof form.email === 'string' && form.email.trim() !== '' ? form.email.trim().slice(0, 255) : undefined;
    const outcome = await run(reply, request.correlationId, id, action, { email });
    if (!outcome) return reply;
    return reply.code(303).header('Location', outcome.redirect_url ?? outcome.request.payment_request_url).header('Cache-Control', 'no-store').send();
  });
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'self'")
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(html);
}

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function formatAmount(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

const outcomes: Record<string, string> = {
  COMPLETED: 'Payment approved. You can return to the store.',
  CANCELED: 'This payment was cancelled by the store.',
  EXPIRED: 'This payment link has expired.',
  DECLINED: 'This purchase could not be approved.',
  SUBMITTED: 'You left the payment. The store can send you a new link.',
};

function journeyPage(r: PaymentRequestState): string {
  const amount = escape(formatAmount(r.amount, r.currency));
  const reference = r.payment_request_reference ? `<p class="muted">Reference ${escape(r.payment_request_reference)}</p>` : '';
  if (r.state !== 'IN_PROGRESS') {
    const link = r.customer_interaction_config.return_url ? `<p><a class="button" href="${escape(redirectUrlFor(r))}">Return to the store</a></p>` : '';
    return page('Pay with Klarna', `<p class="amount">${amount}</p>${reference}<p role="status" data-state="${r.state}">${escape(outcomes[r.state] ?? r.state)}</p>${link}`);
  }
  const supplied = r.supplementary_purchase_data?.customer as { email?: unknown } | undefined;
  const email = typeof supplied?.email === 'string' ? supplied.email : '';
  return page(
    'Pay with Klarna',
    `<p class="amount">${amount}</p>${reference}
<form method="post" action="/journey/payment-requests/${escape(r.payment_request_id)}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" value="${escape(email)}" placeholder="customer@email.us">
  <p class="muted">Sandbox: customer+denied@… is declined, customer+pend-accept-05@… is approved pending review.</p>
  <div class="actions">
    <button type="submit" name="action" value="approve">Approve</button>
    <button type="submit" name="action" value="abort" class="secondary">Cancel</button>
  </div>
</form>`,
  );
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f9f8f5; color: #0b051d; margin: 0; }
  main { max-width: 26rem; margin: 3rem auto; background: #fff; padding: 1.5rem; border-radius: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  h1 { font-size: 1.25rem; margin-top: 0; }
  .amount { font-size: 2rem; font-weight: 600; margin: .5rem 0; }
  .muted { color: #5c5866; font-size: .875rem; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; margin-top: .25rem; border: 1px solid #a8a5ad; border-radius: 6px; }
  .actions { display: flex; gap: .75rem; margin-top: 1.25rem; }
  button, .button { flex: 1; padding: .7rem 1rem; font-size: 1rem; border-radius: 6px; border: 0; background: #ffa8cd; color: #0b051d; cursor: pointer; text-decoration: none; display: inline-block; text-align: center; }
  button.secondary { background: #e4e3df; }
  button:focus-visible, .button:focus-visible, input:focus-visible { outline: 3px solid #0b051d; outline-offset: 2px; }
</style>
</head>
<body><main><h1>${escape(title)}</h1>
${content}
</main></body>
</html>
`;
}
