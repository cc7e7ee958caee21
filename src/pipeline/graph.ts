/**
 * Builds the step graph: unknown `needs`, cycles, a topological order, and answers to "is this step
 * upstream of that one". Pre: step names are unique (they are map keys). Post: on success, `order`
 * lists every step once, after all of its needs; ties keep the order of the file so plans read top
 * to bottom.
 *
 * No step's full ancestor set is built: on a 10,000-step chain those sets hold 50 million names.
 * Reachability is asked only for what templates and expressions read, walked up through `needs`
 * and remembered per asked-for step, so a chain where every step reads its need stays linear.
 */
import { didYouMean } from "../config/suggest.js";
import { Heap } from "./heap.js";

export interface GraphProblem {
  kind: "unknown-need" | "self-need" | "cycle";
  step: string;
  /** Index in the step's `needs` list, for positions. */
  needIndex?: number;
  message: string;
  suggestion?: string;
}

/** The steps upstream of one step (its needs, their needs…), asked for one at a time. */
export interface UpstreamSteps {
  has(step: string): boolean;
  /** Every upstream step, nearest first: for suggestions, and for a template that reads `it.steps` whole. */
  [Symbol.iterator](): Iterator<string>;
}

export interface StepGraph {
  order: string[];
  upstreamOf(step: string): UpstreamSteps;
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
  const order = topologicalOrder(needsByStep);
  return { graph: { order, upstreamOf: upstreamQueries(needsByStep, order) }, problems };
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
    for (const need of needs) {
      const list = dependents.get(need);
      if (list) list.push(step);
      else dependents.set(need, [step]);
    }
  }
  // A min-heap of ready steps by their place in the file: shifting a sorted array is quadratic.
  const ready = new Heap<string>((a, b) => position.get(a)! - position.get(b)!);
  for (const step of needsByStep.keys()) if (waitingOn.get(step) === 0) ready.push(step);
  const order: string[] = [];
  while (ready.size > 0) {
    const step = ready.pop();
    order.push(step);
    for (const dependent of dependents.get(step) ?? []) {
      const left = waitingOn.get(dependent)! - 1;
      waitingOn.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  return order;
}

function upstreamQueries(needsByStep: ReadonlyMap<string, readonly string[]>, order: readonly string[]): (step: string) => UpstreamSteps {
  const position = new Map(order.map((step, index) => [step, index]));
  // Per asked-for ancestor: whether each step evaluated so far has it upstream.
  const known = new Map<string, Map<string, boolean>>();
  const reaches = (from: string, target: string): boolean => {
    const targetPosition = position.get(target);
    if (targetPosition === undefined || from === target) return false;
    let memo = known.get(target);
    if (!memo) known.set(target, (memo = new Map()));
    // Depth-first up through needs, each step evaluated once per target. A need placed before the
    // target in the topological order cannot have it upstream, so the walk never goes below it.
    const stack = [from];
    while (stack.length > 0) {
      const step = stack.at(-1)!;
      if (memo.has(step)) {
        stack.pop();
        continue;
      }
      let found = false;
      let waiting = false;
      for (const need of needsByStep.get(step) ?? []) {
        const answer = need === target ? true : position.get(need)! < targetPosition ? false : memo.get(need);
        if (answer === true) {
          found = true;
          break;
        }
        if (answer === undefined) {
          waiting = true;
          stack.push(need);
        }
      }
      if (found || !waiting) {
        memo.set(step, found);
        stack.pop();
      }
    }
    return memo.get(from)!;
  };
  const all = (step: string): string[] => {
    const seen = new Set<string>();
    const queue = [...(needsByStep.get(step) ?? [])];
    for (let index = 0; index < queue.length; index++) {
      const need = queue[index]!;
      if (seen.has(need)) continue;
      seen.add(need);
      queue.push(...(needsByStep.get(need) ?? []));
    }
    return [...seen];
  };
  return (step) => ({ has: (candidate) => reaches(step, candidate), [Symbol.iterator]: () => all(step)[Symbol.iterator]() });
}
