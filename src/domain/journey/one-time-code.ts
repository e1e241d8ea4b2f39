/**
 * The purchase journey's one-time code, as in Klarna's playground (reference §5 "Playground test
 * data"): no code is really sent; any six digits pass except 999999, which always fails, so a
 * failing code can be tested. The rule is the same for every journey subject.
 */
import { reject, type Rejection } from '../errors.js';

export const oneTimeCodeLength = 6;
export const failingOneTimeCode = '999999';

export function checkOneTimeCode(code: unknown): Rejection | undefined {
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return reject('BAD_VALUE', 'Bad value: one_time_code (six digits)');
  if (code === failingOneTimeCode) return reject('BAD_VALUE', 'Bad value: one_time_code (the code is not correct)');
  return undefined;
}
