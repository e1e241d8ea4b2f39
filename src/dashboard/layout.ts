/**
 * The dashboard's page shell: header (account, mode, sign-out), navigation, main content, and the
 * HTTP headers every page gets (no caching, no framing, a Content Security Policy that allows
 * only Kassa's own origin — the pages load nothing from elsewhere and work offline).
 */
import type { FastifyReply } from 'fastify';
import { html, type Html } from './html.js';
import { objectKinds } from './object-kinds.js';

export interface PageContext {
  /** Signed in: the account's username, mode and CSRF token for forms. */
  username?: string;
  mode: 'sandbox' | 'live';
  csrf?: string;
  /** Which nav entry is current (a slug, 'home', 'webhooks', 'clock', 'requests'). */
  section?: string;
}

const policy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Content-Security-Policy', policy)
    .header('X-Frame-Options', 'DENY')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'same-origin');
}

/** A hidden CSRF field for a form of a signed-in page. */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}">`;
}

function nav(ctx: PageContext): Html {
  const item = (href: string, label: string, key: string) =>
    html`<li><a href="${href}"${ctx.section === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav class="side" aria-label="Dashboard">
    <ul>
      ${item('/dashboard', 'Home', 'home')}
    </ul>
    <p class="nav-heading" id="nav-objects">Objects</p>
    <ul aria-labelledby="nav-objects">
      ${objectKinds.map((k) => item(`/dashboard/${k.slug}`, k.title, k.slug))}
    </ul>
    <p class="nav-heading" id="nav-developers">Developers</p>
    <ul aria-labelledby="nav-developers">
      ${item('/dashboard/webhooks', 'Webhooks', 'webhooks')}
      ${item('/dashboard/requests', 'Requests', 'requests')}
      ${ctx.mode === 'sandbox' && item('/dashboard/clock', 'Test clock', 'clock')}
    </ul>
  </nav>`;
}

export function page(ctx: PageContext, title: string, body: Html, options: { live?: string } = {}): Html {
  const signedIn = ctx.username !== undefined;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Kassa dashboard</title>
<link rel="stylesheet" href="/dashboard/static/dashboard.css">
<script src="/dashboard/static/dashboard.js" defer></script>
</head>
<body class="dashboard"${options.live ? html` data-live="${options.live}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="logo" href="/dashboard"><span class="brand" aria-hidden="true">K</span> Kassa <span class="muted">Dashboard</span></a>
  <span class="mode mode-${ctx.mode}">${ctx.mode === 'sandbox' ? 'Sandbox' : 'Live'}</span>
  ${signedIn &&
  html`<span class="who">Signed in as <strong>${ctx.username}</strong></span>
  <form method="post" action="/dashboard/sign-out" class="inline">${csrfField(ctx)}<button type="submit" class="quiet">Sign out</button></form>`}
</header>
<div class="frame${signedIn ? '' : ' frame-solo'}">
  ${signedIn && nav(ctx)}
  <main id="main" tabindex="-1">
    ${body}
  </main>
</div>
<p class="live-status visually-hidden" role="status" aria-live="polite" id="live-status"></p>
</body>
</html>
`;
}

/** A notice above the page content: what an action did, or why it was refused. */
export function notice(kind: 'ok' | 'error', text: string): Html {
  return html`<div class="notice notice-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</div>`;
}
