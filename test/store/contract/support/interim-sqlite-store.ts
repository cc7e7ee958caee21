/**
 * INTERIM, test-only: the synchronous SQLite repositories behind the asynchronous `OrchStore`
 * contract, composed as the executor composes them today (`executor/call-records.ts`), so the
 * contract suite checks its hand-worked expectations against SQLite's semantics while the real
 * SQLite implementation is being built on branch h/async. Delete it when that lands (see the TODO
 * in ../stores.ts).
 */
import type { OrchStore } from "../../../../src/contracts/orch-store.js";
import { InFlightRepository } from "../../../../src/store/in-flight-repository.js";
import { openStore } from "../../../../src/store/index.js";
import { sqliteInFlightStore } from "../../../../src/store/sqlite-in-flight-store.js";
import { sqliteLedgerStore } from "../../../../src/store/sqlite-ledger-store.js";

export function openInterimSqliteStore(file: string): OrchStore {
  const sync = openStore(file);
  const { runs, cache, callLog, executions, history, reports, batches } = sync;
  return {
    kind: "sqlite",
    location: file,
    ledger: sqliteLedgerStore(sync.ledger, "host-a"),
    runs: {
      createRun: async (run, steps) => runs.createRun(run, steps),
      recordPaidCall: async (write) =>
        sync.transaction(() => {
          runs.markStepRunning(write.stepExecutionId, write.call.startedAt);
          const close = write.close;
          const settlement =
            close === undefined
              ? undefined
              : close.kind === "settle"
                ? sync.ledger.settle(close.reservationId, close.actualNanoUsd, write.call.finishedAt, close.call)
                : { settled: sync.ledger.release(close.reservationId, write.call.finishedAt) };
          const callId = runs.recordCall(write.call);
          callLog.recordCallText(callId, write.text);
          const entryId = write.answer === undefined ? undefined : cache.insert({ ...write.answer, callId });
          if (write.batchCall) batches.finishCall(write.batchCall.batchJobId, write.batchCall.customId, "collected");
          return { callId, ...(entryId === undefined ? {} : { entryId }), ...(settlement === undefined ? {} : { settlement }) };
        }),
      recordReusedAnswer: async (write) =>
        sync.transaction(() => {
          runs.markStepRunning(write.stepExecutionId, write.call.startedAt);
          cache.recordHit(write.entryId, write.use, write.call.finishedAt);
          const callId = runs.recordCall(write.call);
          callLog.recordCallText(callId, write.text);
          return callId;
        }),
      finishStep: async (id, finish, accepted = []) =>
        sync.transaction(() => {
          for (const entryId of accepted) cache.markAccepted(entryId);
          runs.finishStep(id, finish);
        }),
      finishRun: async (id, status, finishedAt, exitCode) => runs.finishRun(id, status, finishedAt, exitCode),
      getRun: async (id) => runs.getRun(id),
      listSteps: async (runId) => runs.listSteps(runId),
      listCalls: async (runId) => runs.listCalls(runId),
    },
    cache: {
      findReusable: async (key, since, excluded) => cache.findReusable(key, since, excluded),
      findInRun: async (key, runId, step, item, excluded) => cache.findInRun(key, runId, step, item, excluded),
      forgetResumeOnly: async (runId) => sync.transaction(() => cache.forgetResumeOnly(runId)),
      stats: async () => cache.stats(),
      clear: async (before) => cache.clear(before),
    },
    callLog: {
      listRuns: async (filter) => callLog.listRuns(filter),
      latestRun: async () => callLog.latestRun(),
      runBefore: async (run) => callLog.runBefore(run),
      runsByPrefix: async (prefix, limit) => callLog.runsByPrefix(prefix, limit),
      steps: async (runId) => callLog.steps(runId),
      stepRoute: async (runId, step) => callLog.stepRoute(runId, step),
      calls: async (runId) => callLog.calls(runId),
    },
    executions: {
      getRun: async (runId) => executions.getRun(runId),
      unfinishedRuns: async (pipelinePath, limit) => executions.unfinishedRuns(pipelinePath, limit),
      reopenRun: async (runId, steps, processId, at) => executions.reopenRun(runId, steps, processId, at),
      lastAttempts: async (runId) => executions.lastAttempts(runId),
      rejectAnswer: async (callId, reason, checkerOutput, entryId) =>
        sync.transaction(() => {
          executions.markCallRejected(callId, reason, checkerOutput);
          if (entryId !== undefined) cache.markRejected(entryId);
        }),
      recordVerdict: async (callId, verdict, at, language) => executions.recordVerdict(callId, verdict, at, language),
    },
    history: {
      settledCalls: async (since) => history.settledCalls(since),
      settledCallsSince: async (verdictAt, exceptRunId) => history.settledCallsSince(verdictAt, exceptRunId),
      recentOutcomes: async (since, perProvider) => history.recentOutcomes(since, perProvider),
      callsSince: async (provider, since) => history.callsSince(provider, since),
      costSince: async (since) => history.costSince(since),
    },
    reports: {
      callsBetween: async (from, to) => reports.callsBetween(from, to),
      averageSuccessfulCosts: async () => reports.averageSuccessfulCosts(),
      cachedAnswerCosts: async (from, to) => reports.cachedAnswerCosts(from, to),
      ledgerUse: async (from, to) => reports.ledgerUse(from, to),
      ledgerUseByTag: async (from, to) => reports.ledgerUseByTag(from, to),
      budgetStopsBetween: async (from, to) => reports.budgetStopsBetween(from, to),
      pipelineNames: async () => reports.pipelineNames(),
      runKnown: async (runId) => reports.runKnown(runId),
      latestRun: async (before, pipelinePath) => reports.latestRun(before, pipelinePath),
    },
    batches: {
      recordSubmitted: async (job, calls) => batches.recordSubmitted(job, calls),
      pendingCall: async (provider, key) => batches.pendingCall(provider, key),
      recordAnswers: async (jobId, answers) => batches.recordAnswers(jobId, answers),
      pendingJobs: async (runId) => batches.pendingJobs(runId),
      jobSummaries: async (runId) => batches.jobSummaries(runId),
      finishCall: async (jobId, customId, status) => batches.finishCall(jobId, customId, status),
      finishJob: async (jobId, status) => batches.finishJob(jobId, status),
    },
    inFlight: sqliteInFlightStore(new InFlightRepository(sync.database)),
    close: async () => sync.close(),
  };
}
