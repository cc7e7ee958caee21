/**
 * `for_each`: the items of a step (an expression's list, or the files a glob matches) and running
 * them with the step's own concurrency cap. Items keep their order; a result is stored per item.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { evaluateExpression, type ExpressionData } from "../pipeline/evaluate-expression.js";
import { expressionReferences, type Expression } from "../pipeline/expression.js";
import { parseRows, RowsSyntaxError } from "../pipeline/data-rows.js";
import { expandGlobs } from "../pipeline/glob.js";
import type { FanOut } from "../pipeline/model.js";
import type { UpstreamOutput, WorkUnit } from "../pipeline/render.js";
import type { RunContext } from "./run-context.js";

export type ItemList = { ok: true; units: (() => Promise<WorkUnit>)[] } | { ok: false; reason: string };

/**
 * The items of a fan-out: glob matches under `directory`, or the expression's list over `data`.
 * `orch plan` asks too, with the inputs alone, so a plan counts the items a run will see.
 */
export async function listItems(directory: string, fanOut: FanOut, data: ExpressionData): Promise<ItemList> {
  const source = fanOut.source;
  if (source.kind === "glob") {
    const files = await expandGlobs(source.globs, directory);
    return {
      ok: true,
      units: files.map((file, index) => async () => ({
        item: file,
        index,
        file: { path: file, content: await readFile(path.join(directory, file), "utf8") },
      })),
    };
  }
  if (source.kind === "rows") return listRows(source);
  const value = evaluateExpression(source.items.expression, data);
  if (!Array.isArray(value)) {
    return { ok: false, reason: `for_each: ${source.items.text} is ${describe(value)}, not a list` };
  }
  return { ok: true, units: value.map((item, index) => async () => ({ item, index })) };
}

/** One item per row of the data file; a missing or malformed file fails the step before any call. */
async function listRows(source: Extract<FanOut["source"], { kind: "rows" }>): Promise<ItemList> {
  const shown = path.relative(process.cwd(), source.absolutePath) || source.absolutePath;
  let text: string;
  try {
    text = await readFile(source.absolutePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: `for_each rows: ${code === "ENOENT" ? `${shown} does not exist` : `cannot read ${shown}: ${(error as Error).message}`}` };
  }
  try {
    const { rows } = parseRows(text, source.format);
    return { ok: true, units: rows.map((item, index) => async () => ({ item, index })) };
  } catch (error) {
    if (!(error instanceof RowsSyntaxError)) throw error;
    return { ok: false, reason: `for_each rows: ${shown}:${error.line}:${error.column}: ${error.message}` };
  }
}

/**
 * What an expression reads: the inputs, and the finished steps it names, as templates see them
 * (only those: copying every finished step for each `when` made long pipelines quadratic).
 */
export function expressionData(context: RunContext, expression: Expression): { inputs: Record<string, unknown>; steps: Record<string, UpstreamOutput> } {
  const steps: Record<string, UpstreamOutput> = {};
  for (const reference of expressionReferences(expression)) {
    const output = reference.root === "steps" && reference.name !== undefined ? context.outputs.get(reference.name) : undefined;
    if (output !== undefined) steps[reference.name!] = output;
  }
  return { inputs: context.inputs, steps };
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * One item's hold on its step's concurrency cap. An item that waits for a vendor's batch lets go of
 * it while it waits (`whileWaiting`): the cap bounds calls in flight, and items that can wait are
 * worth submitting together, not `concurrency` at a time.
 */
export interface ConcurrencySlot {
  whileWaiting<T>(wait: () => Promise<T>): Promise<T>;
}

/**
 * Runs `work` over `count` items, at most `concurrency` holding a slot at once, started in order
 * (slots are handed out first come, first served). Once `signal` aborts no new item starts; those
 * are reported through `notStarted`.
 */
export async function runWithCap<T>(
  count: number,
  concurrency: number,
  signal: AbortSignal,
  work: (index: number, slot: ConcurrencySlot) => Promise<T>,
  notStarted: (index: number) => T,
): Promise<T[]> {
  const slots = new SlotQueue(concurrency);
  const slot: ConcurrencySlot = {
    async whileWaiting(wait) {
      slots.release();
      try {
        return await wait();
      } finally {
        await slots.acquire();
      }
    },
  };
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      await slots.acquire();
      try {
        return signal.aborted ? notStarted(index) : await work(index, slot);
      } finally {
        slots.release();
      }
    }),
  );
}

/** A counting semaphore whose waiters are served in the order they asked. */
class SlotQueue {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = Math.max(1, size);
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}
