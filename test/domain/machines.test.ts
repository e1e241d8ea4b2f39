/**
 * Generated from the transition tables: one test per transition, plus the table's own soundness
 * (every state reachable, finals have no way out, targets are known states).
 */
import { describe, expect, it } from 'vitest';
import { isFinal, nextState, transitionsFor } from '../../src/domain/machine.js';
import { machines } from '../../src/domain/machines.js';

for (const machine of machines) {
  describe(`machine ${machine.name}`, () => {
    for (const tr of machine.transitions) {
      it(`${tr.from} --${tr.event}${tr.guard ? ` [${tr.guard}]` : ''}--> ${tr.to}`, () => {
        expect(nextState(machine, tr.from, tr.event, tr.guard)).toBe(tr.to);
        expect(isFinal(machine, tr.from)).toBe(false);
      });
    }

    it('final states accept no event', () => {
      const events = [...new Set(machine.transitions.map((t) => t.event))];
      for (const state of machine.finals) for (const event of events) expect(transitionsFor(machine, state, event)).toEqual([]);
    });

    it('every state is reachable from the initial state', () => {
      const seen = new Set([machine.initial]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const tr of machine.transitions) if (seen.has(tr.from) && !seen.has(tr.to)) (seen.add(tr.to), (grew = true));
      }
      expect([...seen].sort()).toEqual([...machine.states].sort());
    });
  });
}
