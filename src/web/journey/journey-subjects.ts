/**
 * The journey subject kinds Kassa knows. Adding one (the v2 payment request) is one line here.
 */
import type { JourneySubject } from './journey-subject.js';
import { sessionSubject } from './session-subject.js';

export const journeySubjects: JourneySubject<any>[] = [
  sessionSubject,
];

export function findJourneySubject(kind: string): JourneySubject<unknown> | undefined {
  return journeySubjects.find((s) => s.kind === kind);
}
