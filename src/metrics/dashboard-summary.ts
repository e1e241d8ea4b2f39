/**
 * The few figures the dashboard's home shows (issue 14, Operations): how busy Kassa is, how fast
 * it answers, and whether anything is waiting — deliveries not yet made, deliveries given up on,
 * deadlines due. Taken from the same process metrics GET /metrics serves (metrics.ts).
 */
import { backlog, recentRequests } from './metrics.js';

export interface MetricFigure {
  label: string;
  value: string;
}

export async function dashboardMetricsSummary(): Promise<MetricFigure[]> {
  const counts = await backlog();
  const recent = recentRequests();
  return [
    { label: 'Requests in the last minute', value: formatCount(recent.count) },
    { label: 'p99 latency (last minute)', value: recent.p99Seconds === undefined ? '—' : formatSeconds(recent.p99Seconds) },
    { label: 'Webhooks waiting (outbox backlog)', value: formatCount(counts.outboxPending) },
    { label: 'Failed deliveries', value: formatCount(counts.outboxFailed) },
    { label: 'Timers due', value: formatCount(counts.timersDue) },
  ];
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** 0.0042 -> "4.2 ms", 1.5 -> "1.50 s". */
export function formatSeconds(seconds: number): string {
  if (seconds >= 1) return `${seconds.toFixed(2)} s`;
  const ms = seconds * 1000;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}
