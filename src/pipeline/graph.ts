/**
 * Builds the step graph: unknown `needs`, cycles, a topological order and each step's upstream set.
 * Pre: step names are unique (they are map keys). Post: on success, `order` lists every step once,
 * after all of its needs; ties keep the order of the file so plans read top to bottom.
 */
import { didYouMean } from "../config/suggest.js";

export interface GraphProblem {
  kind: "unknown-need" | "self-need" | "cycle";
  step: string;
  /** Index in the step's `needs` list, for positions. */
  needIndex?: number;
  message: string;
  suggestion?: string;
}

export interface StepGraph {
  order: string[];
  upstream: Map<string, Set<string>>;
}

export function buildStepGraph(needsByStep: ReadonlyMap<string, readonly string[]>): { graph?: StepGraph; problems: GraphProblem[] } {
  const problems: GraphProblem[] = [];
  const names = [...needsByStep.keys()];
  for (const [step, needs] of needsByStep) {
    needs.forEach((need, needIndex) => {
      if (need === step) {
        problems.push({ kind: "self-need", step, needIndex, message: `step "${step}" cannot need itself` });
      } else if (!needsByStep.has(need)) {
        const suggestion = didYouMean(need, names);
        problems.push({ kind: "unknown-need", step, needIndex, message: `unknown step "${need}"`, ...(suggestion ? { suggestion } : {}) });
      }
    });
  }
  if (problems.length > 0) return { problems };

  const cycle = findCycle(needsByStep);
  if (cycle) {
    return {
      problems: [{ kind: "cycle", step: cycle[0]!, message: `dependency cycle: ${cycle.join(" → ")}` }],
    };
  }
  return { graph: { order: topologicalOrder(needsByStep), upstream: upstreamSets(needsByStep) }, problems };
}

/** Depth-first search with colours; returns the cycle as a closed path (a → b → a). */
function findCycle(needsByStep: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (step: string): string[] | undefined => {
    state.set(step, "visiting");
    stack.push(step);
    for (const need of needsByStep.get(step) ?? []) {
      if (state.get(need) === "visiting") return [...stack.slice(stack.indexOf(need)), need];
      if (!state.has(need)) {
        const found = visit(need);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(step, "done");
    return undefined;
  };
  for (const step of needsByStep.keys()) {
    if (!state.has(step)) {
      const found = visit(step);
      if (found) return found.reverse();
    }
  }
  return undefined;
}

/** Kahn's algorithm; among ready steps the one earliest in the file goes first, so the result is stable. */
function topologicalOrder(needsByStep: ReadonlyMap<string, readonly string[]>): string[] {
  const position = new Map([...needsByStep.keys()].map((step, index) => [step, index]));
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [step, needs] of needsByStep) {
    waitingOn.set(step, needs.length);
    for (const need of needs) dependents.set(need, [...(dependents.get(need) ?? []), step]);
  }
  const ready = [...needsByStep.keys()].filter((step) => waitingOn.get(step) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const step = ready.shift()!;
    order.push(step);
    for (const dependent of dependents.get(step) ?? []) {
      const left = waitingOn.get(dependent)! - 1;
      waitingOn.set(dependent, left);
      if (left === 0) insertByPosition(ready, dependent, position);
    }
  }
  return order;
}

function insertByPosition(sorted: string[], step: string, position: ReadonlyMap<string, number>): void {
  const rank = position.get(step)!;
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (position.get(sorted[middle]!)! < rank) low = middle + 1;
    else high = middle;
  }
  sorted.splice(low, 0, step);
}

function upstreamSets(needsByStep: ReadonlyMap<string, readonly string[]>): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const upstreamOf = (step: string): Set<string> => {
    const known = memo.get(step);
    if (known) return known;
    const result = new Set<string>();
    for (const need of needsByStep.get(step) ?? []) {
      result.add(need);
      for (const ancestor of upstreamOf(need)) result.add(ancestor);
    }
    memo.set(step, result);
    return result;
  };
  for (const step of needsByStep.keys()) upstreamOf(step);
  return memo;
}
