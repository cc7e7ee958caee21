/**
 * The fake vendors' batch state: files uploaded for OpenAI's Batch API and the batches of OpenAI,
 * Anthropic and Gemini. Every call of a batch is answered (and its script consumed) when the batch
 * is created; the answers are shown only once the batch's schedule (`batch:` in the first call's
 * model script) says it has ended, after that many polls.
 */
import { randomBytes } from "node:crypto";
import type { FakeBatchSchedule } from "./behaviour.js";

export interface FakeFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
  createdAt: number;
}

/** One call's outcome in a finished batch: the dialect's complete response body, or a refusal (with its HTTP status where the dialect reports one). */
export type FakeBatchResult = { customId: string; body: unknown } | { customId: string; error: string; status?: number };

export interface FakeBatch {
  id: string;
  vendor: "openai" | "anthropic" | "gemini";
  createdAt: number;
  /** The model the batch was created for, and the name its creator gave it (Gemini). */
  model?: string;
  displayName?: string;
  inputFileId?: string;
  outputFileId?: string;
  polls: number;
  schedule: Required<FakeBatchSchedule>;
  results: FakeBatchResult[];
}

/** Gemini's batch ids are the part after `batches/` in the batch's name. */
const idPrefixes: Record<FakeBatch["vendor"], string> = { openai: "batch_", anthropic: "msgbatch_", gemini: "" };

export class FakeBatches {
  readonly files = new Map<string, FakeFile>();
  readonly batches = new Map<string, FakeBatch>();

  addFile(filename: string, purpose: string, content: string): FakeFile {
    const file = { id: `file-${randomBytes(12).toString("hex")}`, filename, purpose, content, createdAt: Math.floor(Date.now() / 1000) };
    this.files.set(file.id, file);
    return file;
  }

  add(vendor: FakeBatch["vendor"], schedule: FakeBatchSchedule, results: FakeBatchResult[], about: Pick<FakeBatch, "inputFileId" | "model" | "displayName"> = {}): FakeBatch {
    const batch: FakeBatch = {
      id: `${idPrefixes[vendor]}${randomBytes(12).toString("hex")}`,
      vendor,
      createdAt: Math.floor(Date.now() / 1000),
      ...about,
      polls: 0,
      schedule: { polls: schedule.polls ?? 0, outcome: schedule.outcome ?? "complete", omitKeys: schedule.omitKeys ?? false, reversed: schedule.reversed ?? false, refused: schedule.refused ?? false },
      results,
    };
    this.batches.set(batch.id, batch);
    return batch;
  }

  /** Counts a poll; true once the batch has ended (its schedule's polls are used up). */
  poll(batch: FakeBatch): boolean {
    batch.polls += 1;
    return batch.polls > batch.schedule.polls;
  }

  /** Whether the batch has ended, without counting a poll (the results endpoints). */
  ended(batch: FakeBatch): boolean {
    return batch.polls > batch.schedule.polls;
  }

  reset(): void {
    this.files.clear();
    this.batches.clear();
  }
}
