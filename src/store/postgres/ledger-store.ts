/**
 * The ledger on PostgreSQL: the `LedgerStore` contract for any number of processes on any number
 * of machines sharing one database.
 *
 * Check-and-reserve: one statement (`orch_reserve`, migration 0007) adds the reservation to the
 * running totals of every scope it counts in, through an upsert that locks those rows in a fixed
 * order (see `scope-totals.ts` for the mechanism and why), reads each limit's total as it now
 * stands, and either inserts the reservation or rolls its changes back. Whoever locks a budget's
 * row second sees the first's reservation, so no interleaving lets two reservations share the
 * same last dollar.
 *
 * Settle and release (`orch_close_reservation`) lock the reservation's row first (so it closes
 * once), then move its amount between the totals' states in the same statement; expiry does the
 * same for many rows in one transaction. The totals always equal the sum of the rows (the
 * multi-runner test checks it). Money is BIGINT nano-dollars throughout.
 */
import { alertRowValues, overrunCallOf, overrunRecordOf, type SettledReservation } from "../ledger-records.js";
import type {
  AlertRecord,
  LedgerScope,
  LedgerStore,
  MoneyKind,
  OverrunRecord,
  ProcessRef,
  ReservationOutcome,
  ReservationRequest,
  ReservationRow,
  ReservationScopes,
  ScopeKeys,
  ScopeLimit,
  ScopeSubject,
  ScopeUsage,
  SettledCall,
  SettleOutcome,
  TeamLimit,
  TeamLimitChange,
  TeamLimitScope,
} from "../../contracts/ledger-store.js";
import { projectsOfTeam, readTeamLimits, subjectNamesIn, teamsIn, writeTeamLimits } from "./team-limits.js";
import { moneyCountedIn, projectOf, type ProjectColumns } from "../ledger-scopes.js";
import { inTransaction, type PostgresPool } from "./connection.js";
import { alertOf, alertsInPeriodsSql, overrunColumns, overrunOf } from "./ledger-rows.js";
import { leaseLockNamespace, type ProcessLease } from "./process-lease.js";
import { readReservationScopes, ReservationKeys } from "./reservation-keys.js";
import {
  applyTotals,
  keyArrays,
  keyOf,
  lockOrdered,
  readTotals,
  sameKey,
  totalsChanges,
  totalsKeysOf,
  usageOf,
  usedOf,
  type TotalsDelta,
  type TotalsKey,
} from "./scope-totals.js";
import { execute, namedStatement, type Queryable } from "./sql.js";

/** Check-and-reserve (`orch_reserve`, migration 0007), one statement. */
const reserveStatement = namedStatement(
  "reserve",
  `SELECT reservation_id AS "reservationId", refused_scope AS "refusedScope", refused_subject_kind AS "refusedSubjectKind",
          refused_subject_name AS "refusedSubjectName", refused_limit AS "refusedLimit", used_before AS "usedBefore"
        FROM orch_reserve($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
          $7::int[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint, $12::text, $13::text, $14::text, $15::text, $16::boolean,
          $17::int, $18::text, $19::int, $20::timestamptz, $21::timestamptz, $22::text[], $23::text, $24::text)`,
);
/** Settle or release (`orch_close_reservation`, migration 0007), one statement. */
const closeReservationStatement = namedStatement(
  "close_reservation",
  `SELECT closed_status AS "closedStatus", run_id AS "runId", pipeline_name AS "pipelineName", day, month, synthetic,
        reserved_nano_usd AS "reservedNanoUsd"
      FROM orch_close_reservation($1::bigint, $2::text, $3::bigint, $4::timestamptz, $5::text[], $6::text[], $7::text[], $8::text[],
        $9::text, $10::int, $11::int, $12::text, $13::text)`,
);

/** pg_advisory_xact_lock's key serializing reconcilers ("orch-exp"), so two expiries never lock reservation rows in opposite orders. */
const expiryLockKey = "7310315412459636848";

/** A reservation row as settle, release and expiry read it, with what it counts in. */
interface OpenRow {
  id: number;
  runId: string;
  pipelineName: string;
  day: string;
  month: string;
  reservedNanoUsd: number;
  status: "reserved" | "settled" | "released" | "expired";
  synthetic: boolean;
  tags: string[];
  team: string | null;
  project: string | null;
}

const openRowColumns = `id, run_id AS "runId", pipeline_name AS "pipelineName", day, month, reserved_nano_usd AS "reservedNanoUsd",
  status, synthetic, team, project, ARRAY(SELECT tag FROM budget_reservation_tags WHERE reservation_id = budget_reservations.id ORDER BY tag) AS tags`;

/** What `orch_reserve` answers: the reservation, or the limit that refused it and what its scope held before. */
interface ReserveAnswer {
  reservationId: number | null;
  refusedScope: LedgerScope | null;
  refusedSubjectKind: "all" | ScopeSubject["kind"] | null;
  refusedSubjectName: string | null;
  refusedLimit: number | null;
  usedBefore: number | null;
}

function refusedLimitOf(answer: ReserveAnswer): ScopeLimit {
  const kind = answer.refusedSubjectKind!;
  return {
    scope: answer.refusedScope!,
    ...(kind === "all" ? {} : { subject: { kind, name: answer.refusedSubjectName! } }),
    limitNanoUsd: answer.refusedLimit!,
  };
}

export class PostgresLedgerStore implements LedgerStore {
  constructor(
    private readonly pool: PostgresPool,
    private readonly lease: ProcessLease,
    private readonly reservationKeys: ReservationKeys,
  ) {}

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    const synthetic = request.synthetic === true;
    const amount = request.amountNanoUsd;
    // Every limit is checked, even one on a subject this reservation does not count in: its row is
    // locked too (with a zero delta), so the check reads a figure nobody else is changing.
    const counted = totalsKeysOf({ ...request, tags: request.tags ?? [], ...projectOf({ team: request.team ?? null, project: request.project ?? null }) });
    const checked = request.limits
      .filter((limit) => !(synthetic && moneyCountedIn(limit.scope) === "real"))
      .map((limit) => ({ limit, key: keyOf(limit.scope, request, limit.subject) }));
    const changes = totalsChanges([
      ...counted.map((key): TotalsDelta => ({ ...key, synthetic, settled: 0, reserved: amount, expired: 0, expiredCount: 0 })),
      ...checked.map(({ key }): TotalsDelta => ({ ...key, synthetic, settled: 0, reserved: 0, expired: 0, expiredCount: 0 })),
    ]);
    const rowOf = (key: TotalsKey) => changes.findIndex((change) => sameKey(change.key, key)) + 1;
    const leaseId = await this.lease.id(request);
    const result = await execute<ReserveAnswer>(this.pool, reserveStatement, [
      ...keyArrays(changes.map((change) => change.key)),
      changes.map((change) => change.real.reservedNanoUsd),
      changes.map((change) => change.synthetic.reservedNanoUsd),
      checked.map(({ key }) => rowOf(key)),
      checked.map(({ limit }) => moneyCountedIn(limit.scope)),
      checked.map(({ limit }) => limit.limitNanoUsd),
      checked.map(({ key }) => (counted.some((candidate) => sameKey(candidate, key)) ? amount : 0)),
      amount,
      request.runId,
      request.pipelineName,
      request.day,
      request.month,
      synthetic,
      request.processId,
      request.hostName,
      leaseId,
      request.createdAt,
      request.expiresAt,
      [...new Set(request.tags ?? [])],
      request.project === undefined ? null : (request.team ?? null),
      request.project ?? null,
    ]);
    const answer = result.rows[0]!;
    if (answer.reservationId === null) return { ok: false, limit: refusedLimitOf(answer), usedNanoUsd: answer.usedBefore! };
    this.reservationKeys.remember(answer.reservationId, lockOrdered(counted));
    return { ok: true, reservationId: answer.reservationId };
  }

  settle(reservationId: number, actualNanoUsd: number, closedAt: string, call?: SettledCall): Promise<SettleOutcome> {
    return settleReservation(this.pool, this.reservationKeys, reservationId, actualNanoUsd, closedAt, call);
  }

  release(reservationId: number, closedAt: string): Promise<boolean> {
    return releaseReservation(this.pool, this.reservationKeys, reservationId, closedAt);
  }

  async usedInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject): Promise<number> {
    return usedOf(await this.usageInScope(scope, keys, subject));
  }

  async usageInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject, money?: MoneyKind): Promise<ScopeUsage> {
    return usageOf(await readTotals(this.pool, keyOf(scope, keys, subject)), money ?? moneyCountedIn(scope));
  }

  reservationScopes(reservationId: number): Promise<ReservationScopes | undefined> {
    return readReservationScopes(this.pool, reservationId);
  }

  async openReservationCount(runId?: string): Promise<number> {
    const result = await this.pool.query<{ count: number }>(
      `SELECT COUNT(*) AS count FROM budget_reservations WHERE status = 'reserved' AND ($1::text IS NULL OR run_id = $1)`,
      [runId ?? null],
    );
    return result.rows[0]!.count;
  }

  async processesWithOpenReservations(hostName?: string): Promise<ProcessRef[]> {
    const result = await this.pool.query<ProcessRef>(
      `SELECT DISTINCT process_id AS "processId", host_name AS "hostName" FROM budget_reservations
       WHERE status = 'reserved' AND ($1::text IS NULL OR host_name = $1) ORDER BY "hostName", "processId"`,
      [hostName ?? null],
    );
    return result.rows;
  }

  expireReservations(now: string, vanished: readonly ProcessRef[]): Promise<ReservationRow[]> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [expiryLockKey]);
      // A lease whose lock this transaction can take has no process holding it any more, on any machine.
      // The locks taken here are freed when the transaction ends.
      const gone = await client.query<{ leaseId: number }>(
        `SELECT lease_id AS "leaseId" FROM (SELECT DISTINCT lease_id FROM budget_reservations WHERE status = 'reserved') AS open_leases
         WHERE pg_try_advisory_xact_lock($1, lease_id)`,
        [leaseLockNamespace],
      );
      const result = await client.query<OpenRow & { processId: number; hostName: string; createdAt: Date; expiresAt: Date; processGone: boolean }>(
        `UPDATE budget_reservations SET status = 'expired', closed_at = $1
         WHERE status = 'reserved'
           AND (expires_at < $1 OR (host_name, process_id) IN (SELECT * FROM unnest($2::text[], $3::int[])) OR lease_id = ANY($4::int[]))
         RETURNING ${openRowColumns}, process_id AS "processId", host_name AS "hostName", created_at AS "createdAt", expires_at AS "expiresAt",
           lease_id = ANY($4::int[]) AS "processGone"`,
        [now, vanished.map((ref) => ref.hostName), vanished.map((ref) => ref.processId), gone.rows.map((row) => row.leaseId)],
      );
      const rows = result.rows.sort((a, b) => a.id - b.id);
      if (rows.length > 0) await applyTotals(client, rows.flatMap((row) => expiryDeltas(row)));
      return rows.map(
        (row): ReservationRow => ({
          id: row.id,
          runId: row.runId,
          pipelineName: row.pipelineName,
          reservedNanoUsd: row.reservedNanoUsd,
          processId: row.processId,
          hostName: row.hostName,
          createdAt: row.createdAt.toISOString(),
          expiresAt: row.expiresAt.toISOString(),
          ...(row.processGone ? { processGone: true } : {}),
        }),
      );
    });
  }

  async overrunsInPeriods(keys: ScopeKeys): Promise<OverrunRecord[]> {
    const result = await this.pool.query(
      `SELECT ${overrunColumns} FROM budget_overruns WHERE run_id = $1 OR (NOT synthetic AND (day = $2 OR month = $3)) ORDER BY created_at, id`,
      [keys.runId, keys.day, keys.month],
    );
    return result.rows.map(overrunOf);
  }

  async overrunsBetween(sinceIso: string, untilIso: string): Promise<OverrunRecord[]> {
    const result = await this.pool.query(
      `SELECT ${overrunColumns} FROM budget_overruns WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id`,
      [sinceIso, untilIso],
    );
    return result.rows.map(overrunOf);
  }

  async calendarZone(proposed: string, at: string): Promise<string> {
    // Two statements, not one: after waiting on a concurrent first insert, only a new statement's
    // snapshot sees the row that insert committed.
    await this.pool.query(`INSERT INTO ledger_settings (name, value, set_at) VALUES ('time_zone', $1, $2) ON CONFLICT (name) DO NOTHING`, [
      proposed,
      at,
    ]);
    const result = await this.pool.query<{ value: string }>(`SELECT value FROM ledger_settings WHERE name = 'time_zone'`);
    return result.rows[0]!.value;
  }

  async recordAlert(alert: AlertRecord): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO budget_alerts (scope, subject_kind, subject_name, period, fraction, used_nano_usd, limit_nano_usd, run_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (scope, subject_kind, subject_name, period, fraction) DO NOTHING
       RETURNING id`,
      alertRowValues(alert),
    );
    return result.rowCount === 1;
  }

  async alertsInPeriods(keys: ScopeKeys): Promise<AlertRecord[]> {
    const result = await this.pool.query(alertsInPeriodsSql, [keys.runId, keys.day, keys.month]);
    return result.rows.map(alertOf);
  }

  teamLimits(team: string): Promise<TeamLimit[]> {
    return readTeamLimits(this.pool, team);
  }

  setTeamLimits(team: string, changes: readonly TeamLimitChange[], setBy: string, setAt: string): Promise<TeamLimit[]> {
    return inTransaction(this.pool, (client) => writeTeamLimits(client, team, changes, setBy, setAt));
  }

  teams(month: string): Promise<string[]> {
    return teamsIn(this.pool, month);
  }

  teamProjects(team: string, month: string): Promise<string[]> {
    return projectsOfTeam(this.pool, team, month);
  }

  subjectsInPeriod(scope: TeamLimitScope, keys: ScopeKeys, kind: ScopeSubject["kind"], prefix?: string): Promise<string[]> {
    return subjectNamesIn(this.pool, scope, keys, kind, prefix);
  }
}

/**
 * Settles a reservation: on the pool (one statement, its own transaction) or inside the caller's
 * transaction on a client (a paid call's record, which must commit its settlement with its call
 * row or neither). A closed or unknown reservation changes nothing and answers `settled: false`.
 */
export async function settleReservation(
  database: Queryable,
  reservationKeys: ReservationKeys,
  reservationId: number,
  actualNanoUsd: number,
  closedAt: string,
  call?: SettledCall,
): Promise<SettleOutcome> {
  const row = await closeOpenRow(database, reservationKeys, reservationId, "settled", actualNanoUsd, closedAt, call);
  if (!row) return { settled: false };
  if (actualNanoUsd <= row.reservedNanoUsd) return { settled: true };
  return { settled: true, overrun: overrunRecordOf(reservationId, row, actualNanoUsd, closedAt, call) };
}

/** Releases a reservation, as `settleReservation` settles one; false when it was already closed or is unknown. */
export async function releaseReservation(database: Queryable, reservationKeys: ReservationKeys, reservationId: number, closedAt: string): Promise<boolean> {
  return (await closeOpenRow(database, reservationKeys, reservationId, "released", null, closedAt)) !== undefined;
}

/**
 * Closes a reservation that is still open (reserved or expired) in one statement, moving its
 * amount on its totals rows and recording an overrun when it settled above its reservation; answers
 * the reservation as it was, or undefined when it was already closed or is unknown.
 */
async function closeOpenRow(
  database: Queryable,
  reservationKeys: ReservationKeys,
  reservationId: number,
  status: "settled" | "released",
  settledNanoUsd: number | null,
  closedAt: string,
  call?: SettledCall,
): Promise<SettledReservation | undefined> {
  const keys = await reservationKeys.of(database, reservationId);
  if (!keys) return undefined;
  const overrunCall = overrunCallOf(call);
  const result = await execute<SettledReservation & { closedStatus: string | null }>(database, closeReservationStatement, [
    reservationId,
    status,
    settledNanoUsd,
    closedAt,
    ...keyArrays(keys),
    overrunCall.step,
    overrunCall.item ?? null,
    overrunCall.attempt,
    overrunCall.provider,
    overrunCall.model,
  ]);
  const { closedStatus, ...row } = result.rows[0]!;
  if (closedStatus === null) return undefined;
  reservationKeys.forget(reservationId);
  return row;
}

function expiryDeltas(row: OpenRow): TotalsDelta[] {
  return keysOfRow(row).map((key) => ({
    ...key,
    synthetic: row.synthetic,
    settled: 0,
    reserved: -row.reservedNanoUsd,
    expired: row.reservedNanoUsd,
    expiredCount: 1,
  }));
}

function keysOfRow(row: OpenRow): TotalsKey[] {
  return totalsKeysOf({ runId: row.runId, day: row.day, month: row.month, pipelineName: row.pipelineName, tags: row.tags, ...projectOf(row) });
}
