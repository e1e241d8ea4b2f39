/**
 * The journey subject kinds Kassa knows. Adding one is one line here.
 */
import type { JourneySubject } from './journey-subject.js';
import { paymentRequestSubject } from './payment-request-subject.js';
import { sessionSubject } from './session-subject.js';

export const journeySubjects: JourneySubject<any>[] = [
  sessionSubject,
  paymentRequestSubject,
];

export function findJourneySubject(kind: string): JourneySubject<unknown> | undefined {
  return journeySubjects.find((s) => s.kind === kind);
}
