/**
 * The SQLite store (better-sqlite3): the synchronous repositories composed behind the asynchronous
 * `OrchStore` contract. better-sqlite3 answers at once, so each method runs its repository's
 * statement(s) and only wraps the result in a promise (microseconds, no thread hop). The writes the
 * contract makes atomic are each one IMMEDIATE transaction here, so a crash at any moment leaves
 * all of a write or none of it.
 *
 * The repositories and the database stay reachable through `openSqliteStore` for the store's own
 * tests and tools; nothing outside `src/store/` may use them (test/store/import-border.test.ts).
 */
import os from "node:os";
import type { AnswerCacheStore } from "../contracts/answer-cache-store.js";
import type { BatchStore } from "../contracts/batch-store.js";
import type { CallLogStore } from "../contracts/call-log-store.js";
import type { ExecutionStore } from "../contracts/execution-store.js";
import type { HistoryStore } from "../contracts/history-store.js";
import type { OrchStore } from "../contracts/orch-store.js";
import type { ReportStore } from "../contracts/report-store.js";
import type { PaidCallWrite, PaidCallWritten, ReusedAnswerWrite, RunStore } from "../contracts/run-store.js";
import { BatchRepository } from "./batch-repository.js";
import { CacheRepository } from "./cache-repository.js";
import { CallLogRepository } from "./call-log-repository.js";
import { openDatabase, type SqliteDatabase } from "./database.js";
import { ExecutionRepository } from "./execution-repository.js";
import { HistoryRepository } from "./history-repository.js";
import { InFlightRepository } from "./in-flight-repository.js";
import { LedgerRepository } from "./ledger-repository.js";
import { ReportQueries } from "./report-queries.js";
import { RunRepository } from "./run-repository.js";
import { sqliteInFlightStore } from "./sqlite-in-flight-store.js";
import { sqliteLedgerStore } from "./sqlite-ledger-store.js";

export interface SqliteRepositories {
  readonly runs: RunRepository;
  readonly ledger: LedgerRepository;
  readonly history: HistoryRepository;
  readonly reports: ReportQueries;
  readonly cache: CacheRepository;
  readonly executions: ExecutionRepository;
  readonly callLog: CallLogRepository;
  readonly batches: BatchRepository;
  readonly inFlight: InFlightRepository;
}

/** The contract, plus the synchronous repositories and the database for SQLite-specific tests. */
export type SqliteOrchStore = OrchStore & { readonly database: SqliteDatabase; readonly repositories: SqliteRepositories };

export function openSqliteStore(file: string, options: { hostName?: string } = {}): SqliteOrchStore {
  const database = openDatabase(file);
  const repositories: SqliteRepositories = {
    runs: new RunRepository(database),
    ledger: new LedgerRepository(database),
    history: new HistoryRepository(database),
    reports: new ReportQueries(database),
    cache: new CacheRepository(database),
    executions: new ExecutionRepository(database),
    callLog: new CallLogRepository(database),
    batches: new BatchRepository(database),
    inFlight: new InFlightRepository(database),
  };
  return {
    kind: "sqlite",
    location: file,
    database,
    repositories,
    runs: runStore(database, repositories),
    ledger: sqliteLedgerStore(repositories.ledger, options.hostName ?? os.hostname()),
    history: historyStore(repositories.history),
    reports: reportStore(repositories.reports),
    cache: cacheStore(repositories.cache),
    executions: executionStore(database, repositories),
    callLog: callLogStore(repositories.callLog),
    batches: batchStore(repositories.batches),
    inFlight: sqliteInFlightStore(repositories.inFlight),
    close: async () => {
      database.close();
    },
  };
}

function runStore(database: SqliteDatabase, { runs, ledger, cache, callLog, batches }: SqliteRepositories): RunStore {
  const recordPaidCall = database.transaction((write: PaidCallWrite): PaidCallWritten => {
    runs.markStepRunning(write.stepExecutionId, write.call.startedAt);
    // The reservation closes when the call does: at its finish.
    const closedAt = write.call.finishedAt;
    const settlement =
      write.close?.kind === "settle"
        ? ledger.settle(write.close.reservationId, write.close.actualNanoUsd, closedAt, write.close.call)
        : write.close?.kind === "release"
          ? { settled: ledger.release(write.close.reservationId, closedAt) }
          : undefined;
    const callId = runs.recordCall(write.call);
    callLog.recordCallText(callId, write.text);
    const entryId = write.answer === undefined ? undefined : cache.insert({ ...write.answer, callId });
    if (write.batchCall) batches.finishCall(write.batchCall.batchJobId, write.batchCall.customId, "collected");
    return { callId, ...(entryId === undefined ? {} : { entryId }), ...(settlement === undefined ? {} : { settlement }) };
  });
  const recordReusedAnswer = database.transaction((write: ReusedAnswerWrite): number => {
    runs.markStepRunning(write.stepExecutionId, write.call.startedAt);
    cache.recordHit(write.entryId, write.use, write.call.finishedAt, write.replay === true);
    const callId = runs.recordCall(write.call);
    callLog.recordCallText(callId, write.text);
    return callId;
  });
  const finishStep = database.transaction((stepExecutionId: number, finish: Parameters<RunStore["finishStep"]>[1], accepted: readonly number[]) => {
    for (const entryId of accepted) cache.markAccepted(entryId);
    runs.finishStep(stepExecutionId, finish);
  });
  return {
    createRun: async (run, steps) => runs.createRun(run, steps),
    recordPaidCall: async (write) => recordPaidCall.immediate(write),
    recordReusedAnswer: async (write) => recordReusedAnswer.immediate(write),
    finishStep: async (stepExecutionId, finish, acceptedEntryIds = []) => finishStep.immediate(stepExecutionId, finish, acceptedEntryIds),
    finishRun: async (id, status, finishedAt, exitCode) => runs.finishRun(id, status, finishedAt, exitCode),
    getRun: async (id) => runs.getRun(id),
    listSteps: async (runId) => runs.listSteps(runId),
    listCalls: async (runId) => runs.listCalls(runId),
  };
}

function executionStore(database: SqliteDatabase, { executions, cache }: SqliteRepositories): ExecutionStore {
  const rejectAnswer = database.transaction((callId: number, reason: string, checkerOutput: string | undefined, entryId: number | undefined) => {
    executions.markCallRejected(callId, reason, checkerOutput);
    if (entryId !== undefined) cache.markRejected(entryId);
  });
  return {
    getRun: async (runId) => executions.getRun(runId),
    unfinishedRuns: async (pipelinePath, limit) => executions.unfinishedRuns(pipelinePath, limit),
    reopenRun: async (runId, steps, processId, at) => executions.reopenRun(runId, steps, processId, at),
    lastAttempts: async (runId) => executions.lastAttempts(runId),
    rejectAnswer: async (callId, reason, checkerOutput, entryId) => rejectAnswer.immediate(callId, reason, checkerOutput, entryId),
    recordVerdict: async (callId, verdict, at, language) => executions.recordVerdict(callId, verdict, at, language),
  };
}

function cacheStore(cache: CacheRepository): AnswerCacheStore {
  return {
    findReusable: async (cacheKey, since, excluded) => cache.findReusable(cacheKey, since, excluded),
    findInRun: async (cacheKey, runId, step, itemIndex, excluded) => cache.findInRun(cacheKey, runId, step, itemIndex, excluded),
    forgetResumeOnly: async (runId) => cache.forgetResumeOnly(runId),
    stats: async () => cache.stats(),
    clear: async (before) => cache.clear(before),
  };
}

function historyStore(history: HistoryRepository): HistoryStore {
  return {
    settledCalls: async (since) => history.settledCalls(since),
    settledCallsSince: async (verdictAt, exceptRunId) => history.settledCallsSince(verdictAt, exceptRunId),
    recentOutcomes: async (since, perProvider) => history.recentOutcomes(since, perProvider),
    callsSince: async (provider, since) => history.callsSince(provider, since),
    costSince: async (since) => history.costSince(since),
  };
}

function reportStore(reports: ReportQueries): ReportStore {
  return {
    callsBetween: async (fromIso, toIso) => reports.callsBetween(fromIso, toIso),
    averageSuccessfulCosts: async () => reports.averageSuccessfulCosts(),
    cachedAnswerCosts: async (fromIso, toIso) => reports.cachedAnswerCosts(fromIso, toIso),
    ledgerUse: async (fromMonth, toMonth) => reports.ledgerUse(fromMonth, toMonth),
    ledgerUseByTag: async (fromMonth, toMonth) => reports.ledgerUseByTag(fromMonth, toMonth),
    budgetStopsBetween: async (fromIso, toIso) => reports.budgetStopsBetween(fromIso, toIso),
    pipelineNames: async () => reports.pipelineNames(),
    runKnown: async (runId) => reports.runKnown(runId),
    latestRun: async (beforeIso, pipelinePath) => reports.latestRun(beforeIso, pipelinePath),
  };
}

function callLogStore(callLog: CallLogRepository): CallLogStore {
  return {
    listRuns: async (filter) => callLog.listRuns(filter),
    latestRun: async () => callLog.latestRun(),
    runBefore: async (run) => callLog.runBefore(run),
    runsByPrefix: async (prefix, limit) => callLog.runsByPrefix(prefix, limit),
    steps: async (runId) => callLog.steps(runId),
    stepRoute: async (runId, step) => callLog.stepRoute(runId, step),
    calls: async (runId) => callLog.calls(runId),
  };
}

function batchStore(batches: BatchRepository): BatchStore {
  return {
    recordSubmitted: async (job, calls) => batches.recordSubmitted(job, calls),
    pendingCall: async (provider, cacheKey) => batches.pendingCall(provider, cacheKey),
    recordAnswers: async (batchJobId, answers) => batches.recordAnswers(batchJobId, answers),
    pendingJobs: async (runId) => batches.pendingJobs(runId),
    jobSummaries: async (runId) => batches.jobSummaries(runId),
    finishCall: async (batchJobId, customId, status) => batches.finishCall(batchJobId, customId, status),
    finishJob: async (batchJobId, status) => batches.finishJob(batchJobId, status),
  };
}
