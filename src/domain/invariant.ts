/**
 * Assertions for invariants: a broken invariant (captured > authorized) is a bug, not a rejection.
 * It throws InvariantViolation, which the HTTP layer logs and answers 500 — and tests treat as a failure.
 */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
