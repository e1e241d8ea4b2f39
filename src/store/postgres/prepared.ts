/**
 * The statements every request or timer firing runs, as named prepared statements: node-postgres
 * parses and plans a named statement once per connection and afterwards sends only Bind/Execute,
 * where an unnamed one is parsed, analysed and planned again on every call. On the bench's
 * aggregate read that is ~200 µs of backend CPU per call against ~120 µs prepared
 * (docs/performance.md, "PostgreSQL"), and on a machine whose cores are busy, backend CPU is
 * latency.
 *
 * The columns are listed, never `*`: a prepared `SELECT *` fails with "cached plan must not change
 * result type" once another node's migration adds a column to the table, which during a rolling
 * upgrade would break every pooled connection of the nodes still running. A listed column set
 * does not change when one is added. (rows.ts reads exactly these columns.)
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const accountColumns = 'id, username, secret_hash, created_at, clock_offset_ms, is_default';
const aggregateColumns = 'account_id, type, id, version, state, created_at, updated_at';
const timerColumns = 'id, account_id, due_at, kind, aggregate_type, aggregate_id, payload';

function prepared(name: string, text: string): PreparedStatement {
  return { name: `kassa_${name}`, text };
}

export const statements = {
  accountById: prepared('account_by_id', `SELECT ${accountColumns} FROM accounts WHERE id = $1`),
  accountsByIds: prepared('accounts_by_ids', `SELECT ${accountColumns} FROM accounts WHERE id = ANY($1::text[])`),
  aggregateByKey: prepared('aggregate_by_key', `SELECT ${aggregateColumns} FROM aggregates WHERE account_id = $1 AND type = $2 AND id = $3`),
  aggregatesByKeys: prepared(
    'aggregates_by_keys',
    `SELECT ${aggregateColumns.replace(/(\w+)/g, 'a.$1')} FROM unnest($1::text[], $2::text[], $3::text[]) AS k(account_id, type, id) JOIN aggregates a ON a.account_id = k.account_id AND a.type = k.type AND a.id = k.id`,
  ),
  timerById: prepared('timer_by_id', `SELECT ${timerColumns} FROM timers WHERE id = $1`),
  dueTimers: prepared('due_timers', `SELECT ${timerColumns} FROM timers WHERE account_id = $1 AND due_at <= $2 ORDER BY due_at, id LIMIT $3`),
  lookup: prepared('lookup', 'SELECT kind, key, account_id, type, id FROM lookup_keys WHERE kind = $1 AND key = $2'),
  commitGroup: prepared('commit_group', 'SELECT kassa_commit_group($1::jsonb) AS outcomes'),
  appendRequestLog: prepared(
    'append_request_log',
    'SELECT kassa_append_request_log($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::integer)',
  ),
} as const;
