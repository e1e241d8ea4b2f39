/**
 * The test clock (sandbox only): the account's time, the next deadlines due on it (from the timers
 * index, soonest first, each linked to its object), and a form that moves the clock forward by a
 * chosen duration through the same command as POST /sandbox/v1/clock/advance.
 */
import type { TimerRecord } from '../store/port.js';
import { relative, time } from './format.js';
import { html, type Html } from './html.js';
import { csrfField, type PageContext } from './layout.js';
import { kindByType, objectLink } from './object-kinds.js';

/** Where a timer's object lives: settlements belong to their order ("<order>/<capture>"). */
export function timerTarget(t: Pick<TimerRecord, 'aggregateType' | 'aggregateId'>): string | undefined {
  if (t.aggregateType === 'capture_settlement') return objectLink(kindByType('order')!, t.aggregateId.split('/')[0]!);
  const kind = kindByType(t.aggregateType);
  return kind ? objectLink(kind, t.aggregateId) : undefined;
}

export const advanceUnits = { minutes: 60, hours: 3600, days: 86_400 } as const;

export function renderClock(ctx: PageContext, data: { now: number; offsetMs: number; timers: TimerRecord[]; total: number; formKey: string; fired?: number }): Html {
  const days = Math.floor(data.offsetMs / 86_400_000);
  return html`<h1>Test clock</h1>
  <section class="card" aria-labelledby="now-h" data-live-section="clock">
    <h2 id="now-h">Account time</h2>
    <p class="clock-now">${time(data.now)}</p>
    <p class="muted">${data.offsetMs === 0 ? 'Running with the system clock.' : `Ahead of the system clock by ${days} d ${relative(data.offsetMs % 86_400_000, 0).replace('in ', '')}.`} It only moves forward.</p>
    <form method="post" action="/dashboard/clock/advance" class="advance">
      ${csrfField(ctx)}<input type="hidden" name="_key" value="${data.formKey}">
      <div class="field"><label for="advance-amount">Advance by</label><input type="number" id="advance-amount" name="amount" min="1" max="100000" step="1" value="1" required inputmode="numeric"></div>
      <div class="field"><label for="advance-unit">Unit</label><select id="advance-unit" name="unit">
        <option value="minutes">minutes</option><option value="hours">hours</option><option value="days" selected>days</option>
      </select></div>
      <button type="submit" class="primary">Advance clock</button>
    </form>
  </section>
  <section class="card" aria-labelledby="due-h" data-live-section="deadlines">
    <h2 id="due-h">Next deadlines</h2>
    ${
      data.timers.length
        ? html`<div class="table-scroll"><table class="list"><thead><tr><th scope="col">Due</th><th scope="col">When</th><th scope="col">What</th><th scope="col">Object</th></tr></thead><tbody>
        ${data.timers.map((t) => {
          const href = timerTarget(t);
          return html`<tr><td>${time(t.dueAt)}</td><td>${relative(t.dueAt, data.now)}</td><td><code>${t.kind}</code></td><td>${href ? html`<a href="${href}"><code>${t.aggregateId}</code></a>` : html`<code>${t.aggregateId}</code>`}</td></tr>`;
        })}
        </tbody></table></div>
        <p class="muted">${data.total} timer${data.total === 1 ? '' : 's'} scheduled in all.</p>`
        : html`<p class="empty">Nothing is scheduled.</p>`
    }
  </section>`;
}
