/**
 * The SQLite ledger (better-sqlite3, synchronous) behind the asynchronous `LedgerStore` contract,
 * so callers written against the contract run unchanged on the embedded store. Each call is the
 * repository's own transaction; the promise only wraps its result.
 *
 * SQLite is one machine's file: every reservation belongs to this machine, so rows carry no host
 * name and are reported with `hostName`; vanished processes of another host name match nothing.
 */
import os from "node:os";
import type { LedgerStore, ProcessRef } from "../contracts/ledger-store.js";
import type { LedgerRepository } from "./ledger-repository.js";

export function sqliteLedgerStore(repository: LedgerRepository, hostName: string = os.hostname()): LedgerStore {
  const here = (processIds: readonly ProcessRef[]) => processIds.filter((ref) => ref.hostName === hostName).map((ref) => ref.processId);
  return {
    reserve: async (request) => repository.reserve(request),
    settle: async (reservationId, actualNanoUsd, closedAt, call) => repository.settle(reservationId, actualNanoUsd, closedAt, call),
    release: async (reservationId, closedAt) => repository.release(reservationId, closedAt),
    usedInScope: async (scope, keys, subject) => repository.usedInScope(scope, keys, subject),
    usageInScope: async (scope, keys, subject, money) => repository.usageInScope(scope, keys, subject, money),
    reservationScopes: async (reservationId) => repository.reservationScopes(reservationId),
    openReservationCount: async (runId) => repository.openReservationCount(runId),
    processesWithOpenReservations: async (onHost) =>
      onHost !== undefined && onHost !== hostName ? [] : repository.processesWithOpenReservations().map((processId) => ({ processId, hostName })),
    expireReservations: async (now, vanished) => repository.expireReservations(now, here(vanished)).map((row) => ({ ...row, hostName })),
    overrunsInPeriods: async (keys) => repository.overrunsInPeriods(keys),
    overrunsBetween: async (sinceIso, untilIso) => repository.overrunsBetween(sinceIso, untilIso),
    calendarZone: async (proposed, at) => repository.calendarZone(proposed, at),
    recordAlert: async (alert) => repository.recordAlert(alert),
    alertsInPeriods: async (keys) => repository.alertsInPeriods(keys),
    teamLimits: async (team) => repository.teamLimits(team),
    setTeamLimits: async (team, changes, setBy, setAt) => repository.setTeamLimits(team, changes, setBy, setAt),
    teams: async (month) => repository.teams(month),
    teamProjects: async (team, month) => repository.teamProjects(team, month),
    subjectsInPeriod: async (scope, keys, kind, prefix) => repository.subjectsInPeriod(scope, keys, kind, prefix),
  };
}
