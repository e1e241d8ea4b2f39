/**
 * Declarative state machines. Every aggregate has one transition table (state x event -> state,
 * optionally a named guard). The same table validates commands (`nextState`), renders the Mermaid
 * diagram in the docs (`toMermaid`) and generates one test per transition (see machine tests).
 * Pure: no I/O, no clock.
 */

export interface Transition<S extends string, E extends string> {
  readonly from: S;
  readonly event: E;
  readonly to: S;
  /** Name of the rule that must hold for the transition; documented in the diagram label. */
  readonly guard?: string;
}

export interface Machine<S extends string, E extends string> {
  readonly name: string;
  readonly initial: S;
  readonly states: readonly S[];
  readonly finals: readonly S[];
  readonly transitions: readonly Transition<S, E>[];
}

export function defineMachine<S extends string, E extends string>(machine: Machine<S, E>): Machine<S, E> {
  for (const t of machine.transitions) {
    if (!machine.states.includes(t.from) || !machine.states.includes(t.to)) {
      throw new Error(`machine ${machine.name}: transition ${t.from} -${t.event}-> ${t.to} names an unknown state`);
    }
    if (machine.finals.includes(t.from)) {
      throw new Error(`machine ${machine.name}: final state ${t.from} must not have outgoing transitions`);
    }
  }
  return Object.freeze(machine);
}

/** The transitions an event may take from a state (several when guards choose between them). */
export function transitionsFor<S extends string, E extends string>(
  machine: Machine<S, E>,
  from: S,
  event: E,
): Transition<S, E>[] {
  return machine.transitions.filter((t) => t.from === from && t.event === event);
}

/** The target state when the table allows `event` in `from` (guard `guard`, if given), else undefined. */
export function nextState<S extends string, E extends string>(
  machine: Machine<S, E>,
  from: S,
  event: E,
  guard?: string,
): S | undefined {
  const candidates = transitionsFor(machine, from, event);
  const match = guard === undefined ? candidates.find((t) => t.guard === undefined) ?? candidates[0] : candidates.find((t) => t.guard === guard);
  return match?.to;
}

export function isFinal<S extends string, E extends string>(machine: Machine<S, E>, state: S): boolean {
  return machine.finals.includes(state);
}

/** Mermaid `stateDiagram-v2` source for the docs, generated from the table. */
export function toMermaid<S extends string, E extends string>(machine: Machine<S, E>): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${machine.initial}`];
  for (const t of machine.transitions) {
    const label = t.guard ? `${t.event} [${t.guard}]` : t.event;
    lines.push(`  ${t.from} --> ${t.to}: ${label}`);
  }
  for (const f of machine.finals) lines.push(`  ${f} --> [*]`);
  return lines.join('\n') + '\n';
}
