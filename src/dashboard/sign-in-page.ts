/**
 * The sign-in page: the account's own API credentials (the same username and password as HTTP
 * Basic). The form carries a double-submit token (a random value in a SameSite=Strict cookie and
 * in a hidden field), since there is no session to derive one from yet.
 */
import { html, type Html } from './html.js';
import { notice } from './layout.js';

export function renderSignIn(preToken: string, options: { next?: string; error?: string; username?: string; signedOut?: boolean; expired?: boolean }): Html {
  return html`<div class="sign-in card">
    <h1>Sign in</h1>
    <p class="muted">Use your Kassa account's API credentials: the username and password your Klarna client sends as HTTP Basic.</p>
    ${options.error && notice('error', options.error)}
    ${options.signedOut && notice('ok', 'You are signed out.')}
    ${options.expired && notice('ok', 'Please sign in to continue.')}
    <form method="post" action="/dashboard/sign-in">
      <input type="hidden" name="_pre" value="${preToken}">
      ${options.next && html`<input type="hidden" name="next" value="${options.next}">`}
      <div class="field"><label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" required value="${options.username ?? ''}" autofocus></div>
      <div class="field"><label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required></div>
      <button type="submit" class="primary">Sign in</button>
    </form>
  </div>`;
}
