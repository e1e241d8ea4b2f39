/**
 * Every limit Kassa enforces, in one place. Names carry their unit last.
 * Reference: ../shared/reference/klarna-api.md (field limits, 1000 order lines, 50 signing keys).
 */
export const limits = Object.freeze({
  bodyBytesMax: 1_048_576,
  /** Objects/arrays nested deeper than this in a request body are refused (Klarna's need ~6). */
  jsonDepthMax: 32,
  orderLinesMax: 1000,
  shippingInfoMax: 500,
  capturesPerOrderMax: 200,
  refundsPerOrderMax: 200,
  amountMax: 200_000_000,
  idLengthMax: 200,
  /** Account usernames (the CLI and KASSA_SANDBOX_MERCHANT allow 1–100 of [A-Za-z0-9_.@-]). */
  usernameCharsMax: 100,
  idempotencyKeyLengthMax: 255,
  /**
   * Failed sign-ins (HTTP Basic) tolerated per username and per client address within
   * signInThrottleWindowMs; beyond them 429 until the window ends (src/app/sign-in-throttle.ts).
   * The address limit is higher: several merchants may sign in from one address.
   */
  signInFailuresPerUsernameMax: 10,
  signInFailuresPerAddressMax: 50,
  signInThrottleWindowMs: 5 * 60_000,
  /** Username and address counters the throttle keeps at most (the oldest idle one is dropped). */
  signInThrottleEntriesMax: 10_000,
  idempotencyTtlMs: 48 * 3600_000,
  signingKeysPerAccountMax: 50,
  webhooksPerAccountMax: 100,
  pageSizeMax: 100,
  timerBatchSize: 200,
  outboxBatchSize: 50,
  webhookTimeoutMs: 10_000,
  /** Bytes of an answer to an outbound call (webhook receiver, provider) that are read at most. */
  outboundResponseBytesMax: 8 * 1_048_576,
  webhookRetryWindowMs: 12 * 3600_000,
  clockAdvanceSecondsMax: 10 * 365 * 24 * 3600,
  /** A clock advance reports (as `timers_fired`) at most this many due timers; it fires them all. */
  clockAdvanceDueCountMax: 10_000,
  commitRetriesMax: 20,
  commitRetryDelayMsMax: 50,
  merchantDataCharsMax: 6000,
  merchantReferenceCharsMax: 255,
  merchantUrlCharsMax: 2000,
  productUrlCharsMax: 1024,
  orderLineNameCharsMax: 255,
  orderLineReferenceCharsMax: 256,
  quantityUnitCharsMax: 8,
  // v2 payment requests and webhooks
  paymentReferenceCharsMax: 255,
  returnUrlCharsMax: 2000,
  webhookUrlCharsMax: 2000,
  webhookEventTypesMax: 50,
  lineItemsMax: 1000,
  // Merchant role (src/app/merchant): request log size, retries of unknown outcomes, polls.
  merchantRequestsPerOrderMax: 1000,
  merchantStepAttemptsMax: 10,
  merchantSettlementPollsMax: 30,
  merchantCallTimeoutMs: 10_000,
  merchantDriveStepsMax: 12,
  merchantClientKeysMax: 100,
  merchantConnectionUrlCharsMax: 2000,
  /** SQLite group commit: most batches (one per command) written by one transaction. */
  groupCommitBatchesMax: 1000,
  /**
   * SQLite WAL syncs running at once (libuv's thread pool has 4 threads, shared with scrypt); more
   * commits than that wait for the next sync to start.
   */
  walSyncsInFlightMax: 2,
  /**
   * SQLite group commit, another process holding the write lock: tries without blocking the event
   * loop (the first on the next turns, then one a millisecond) before waiting blocking for it.
   */
  sqliteBusyRetriesMax: 50,
  /**
   * SQLite, one Kassa process on the file (src/store/sqlite/exclusive-lock.ts): the database file is
   * held exclusively while group commits come, and let go this long after the last one, so that
   * another process (the CLI) waiting for it gets in.
   */
  sqliteExclusiveIdleMs: 100,
  /** SQLite: after the file was found open by another connection, it is shared this long before the next try to hold it. */
  sqliteExclusiveRetryMs: 1000,
  // Requests log (src/http/request-log.ts) and GET /metrics (src/metrics/).
  /** Entries kept per account: the newest; older ones are pruned as new ones are appended. */
  requestLogPerAccountMax: 1000,
  /** A logged request or response body (redacted JSON) is cut to this many characters. */
  requestLogBodyCharsMax: 16_384,
  /** A logged path (with its query string) is cut to this many characters. */
  requestLogPathCharsMax: 2048,
  /** Entries are written in batches this often, off the requests' path. */
  requestLogFlushIntervalMs: 250,
  /** Most entries written by one batch (a flush writes several batches if more are waiting). */
  requestLogBatchMax: 500,
  /** Entries waiting in memory at most; beyond it the oldest are dropped (and counted). */
  requestLogBufferMax: 10_000,
  /** Tries of one batch the store keeps refusing before it is dropped (and counted), so one bad batch cannot stop the log. */
  requestLogWriteAttemptsMax: 5,
  /** Backlog figures of GET /metrics (timers due, pending and failed deliveries) count up to this. */
  metricsCountMax: 100_000,
  /**
   * SQLite read cache (src/store/sqlite/read-cache.ts): documents and accounts kept parsed in
   * memory per process, the least recently used dropped first. A few thousand cover every object
   * that hundreds of concurrent lifecycles touch, at a few KB each.
   */
  sqliteReadCacheEntriesMax: 4096,
  /** Largest chunk the asynchronous log destination writes at once (src/kassa.ts logDestination). */
  logWriteBytesMax: 2048,
  /** Verified HTTP Basic credentials remembered per process (src/app/credential-cache.ts). */
  credentialCacheEntriesMax: 10_000,
  /** PostgreSQL group commit: most batches (one per command) sent in one statement. */
  postgresGroupBatchesMax: 500,
  /**
   * PostgreSQL group commits in flight at once (each on its own connection); further commits wait
   * in the queue and join the next group, which is what makes the groups grow under load.
   */
  postgresGroupsInFlightMax: 6,
  /** How long a request waits for a new PostgreSQL connection before it is answered 503. */
  postgresConnectTimeoutMs: 5000,
});

/** Durations of the Klarna lifecycle (reference §1–§4; the seeds win where they disagree). */
export const durations = Object.freeze({
  sessionTtlMs: 48 * 3600_000,
  authorizationTokenTtlMs: 60 * 60_000,
  orderAuthorizationTtlMs: 28 * 24 * 3600_000,
  orderAuthorizationLifetimeMaxMs: 180 * 24 * 3600_000,
  paymentRequestTtlMs: 48 * 3600_000,
  paymentRequestTtlMinMs: 15 * 60_000,
  paymentTokenTtlMs: 60 * 60_000,
  merchantRecheckIntervalMs: 2 * 3600_000,
  merchantSettlementPollIntervalMs: 24 * 3600_000,
  /**
   * The merchant role checks a provider deadline (session or authorization expiry) this long after
   * it, so the provider has acted on it; a read back this long after the authorization's expiry is
   * the answer about that expiry (`expiry_checked`).
   */
  merchantCheckAfterDeadlineMs: 1000,
  settlementDelayMs: 7 * 24 * 3600_000,
});

/** The integrators' dashboard (src/dashboard, docs/dashboard.md). */
export const dashboardLimits = Object.freeze({
  /** A signed-in session lasts this long from sign-in (system clock), then the page asks again. */
  sessionTtlMs: 8 * 3600_000,
  /** Rows on one page of an object list. */
  pageSize: 25,
  /** Rows on one page of the requests log (the store keeps limits.requestLogPerAccountMax). */
  requestsShownMax: 50,
  /**
   * A filtered or searched list reads at most this many of the newest objects to fill a page, so
   * a filter that matches nothing costs a bounded read; the page then says where it stopped.
   */
  listScanMax: 2_000,
  /** Rows read from the store per step of that scan. */
  listScanBatch: 200,
  /** Outbox rows (newest first) searched for the deliveries an object's events produced. */
  timelineOutboxScanMax: 500,
  /** Deliveries on the webhooks page, newest first. */
  deliveriesShownMax: 50,
  /** Upcoming timers shown on the test-clock page. */
  deadlinesShownMax: 20,
  /**
   * A live page (Server-Sent Events) also polls its object's version this often, to see commits
   * made by other nodes, which the in-process notifier does not hear about.
   */
  livePollMs: 2_000,
  /** A live stream is closed after this long; the browser's EventSource reconnects by itself. */
  liveStreamMs: 10 * 60_000,
  /** Bytes of an urlencoded form body. */
  formBytesMax: 16 * 1024,
});
