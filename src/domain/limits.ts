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
  idempotencyTtlMs: 48 * 3600_000,
  signingKeysPerAccountMax: 50,
  webhooksPerAccountMax: 100,
  pageSizeMax: 100,
  timerBatchSize: 200,
  outboxBatchSize: 50,
  webhookTimeoutMs: 10_000,
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
