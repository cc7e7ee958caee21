/**
 * The ledger on PostgreSQL: the `LedgerStore` contract for any number of processes on any number
 * of machines sharing one database.
 *
 * Check-and-reserve: one transaction adds the reservation to the running totals of every scope it
 * counts in, through an upsert that locks those rows in a fixed order (see `scope-totals.ts` for
 * the mechanism and why), reads each limit's total as it now stands, and either inserts the
 * reservation or rolls everything back. Whoever locks a budget's row second sees the first's
 * reservation, so no interleaving lets two reservations share the same last dollar.
 *
 * Settle, release and expiry lock the reservation's row first (so it closes once), then move its
 * amount between the totals' states in the same transaction: the totals always equal the sum of
 * the rows (the multi-runner test checks it). Money is BIGINT nano-dollars throughout.
 */
import { alertRowValues, overrunRecordOf, overrunRowValues } from "../ledger-records.js";
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
import { inTransaction, rollback, type PostgresClient, type PostgresPool } from "./connection.js";
import { alertOf, alertsInPeriodsSql, overrunColumns, overrunOf } from "./ledger-rows.js";
import { leaseLockNamespace, type ProcessLease } from "./process-lease.js";
import { applyTotals, keyOf, readTotals, sameKey, totalsKeysOf, usageOf, usedOf, type TotalsDelta, type TotalsKey } from "./scope-totals.js";

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

export class PostgresLedgerStore implements LedgerStore {
  constructor(
    private readonly pool: PostgresPool,
    private readonly lease: ProcessLease,
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
    const deltas: TotalsDelta[] = [
      ...counted.map((key) => ({ ...key, synthetic, settled: 0, reserved: amount, expired: 0, expiredCount: 0 })),
      ...checked.map(({ key }) => ({ ...key, synthetic, settled: 0, reserved: 0, expired: 0, expiredCount: 0 })),
    ];
    const leaseId = await this.lease.id(request);
    return inTransaction(this.pool, async (client) => {
      const totals = await applyTotals(client, deltas);
      for (const { limit, key } of checked) {
        const row = totals.find((candidate) => sameKey(candidate, key))!;
        const countsHere = counted.some((candidate) => sameKey(candidate, key));
        const usedBefore = usedOf(usageOf(row, moneyCountedIn(limit.scope))) - (countsHere ? amount : 0);
        if (usedBefore + amount > limit.limitNanoUsd) return rollback<ReservationOutcome>({ ok: false, limit, usedNanoUsd: usedBefore });
      }
      const inserted = await client.query<{ id: number }>(
        `WITH reservation AS (
           INSERT INTO budget_reservations (run_id, pipeline_name, day, month, reserved_nano_usd, status, synthetic, process_id, host_name, lease_id,
             created_at, expires_at, team, project)
           VALUES ($1, $2, $3, $4, $5, 'reserved', $6, $7, $8, $9, $10, $11, $13, $14) RETURNING id
         ), tags AS (
           INSERT INTO budget_reservation_tags (reservation_id, tag) SELECT reservation.id, tag FROM reservation, unnest($12::text[]) AS tag
         )
         SELECT id FROM reservation`,
        [
          request.runId,
          request.pipelineName,
          request.day,
          request.month,
          amount,
          synthetic,
          request.processId,
          request.hostName,
          leaseId,
          request.createdAt,
          request.expiresAt,
          [...new Set(request.tags ?? [])],
          request.project === undefined ? null : (request.team ?? null),
          request.project ?? null,
        ],
      );
      return { ok: true, reservationId: inserted.rows[0]!.id };
    });
  }

  settle(reservationId: number, actualNanoUsd: number, closedAt: string, call?: SettledCall): Promise<SettleOutcome> {
    return inTransaction(this.pool, (client) => settleReservation(client, reservationId, actualNanoUsd, closedAt, call));
  }

  release(reservationId: number, closedAt: string): Promise<boolean> {
    return inTransaction(this.pool, (client) => releaseReservation(client, reservationId, closedAt));
  }

  async usedInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject): Promise<number> {
    return usedOf(await this.usageInScope(scope, keys, subject));
  }

  async usageInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject, money?: MoneyKind): Promise<ScopeUsage> {
    return usageOf(await readTotals(this.pool, keyOf(scope, keys, subject)), money ?? moneyCountedIn(scope));
  }

  async reservationScopes(reservationId: number): Promise<ReservationScopes | undefined> {
    const result = await this.pool.query<Omit<ReservationScopes, "team" | "project"> & ProjectColumns>(
      `SELECT run_id AS "runId", pipeline_name AS "pipelineName", day, month, team, project,
         ARRAY(SELECT tag FROM budget_reservation_tags WHERE reservation_id = $1 ORDER BY tag) AS tags
       FROM budget_reservations WHERE id = $1`,
      [reservationId],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const { team, project, ...rest } = row;
    return { ...rest, ...projectOf({ team, project }) };
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
 * Settles a reservation inside the caller's transaction on `client` (the ledger's own `settle`, or
 * a paid call's record, which must commit its settlement with its call row or neither). A closed or
 * unknown reservation changes nothing and answers `settled: false`.
 */
export async function settleReservation(
  client: PostgresClient,
  reservationId: number,
  actualNanoUsd: number,
  closedAt: string,
  call?: SettledCall,
): Promise<SettleOutcome> {
  const row = await closeOpenRow(client, reservationId, "settled", actualNanoUsd, closedAt);
  if (!row) return { settled: false };
  await applyTotals(client, closingDeltas(row, actualNanoUsd));
  if (actualNanoUsd <= row.reservedNanoUsd) return { settled: true };
  const overrun = overrunRecordOf(reservationId, row, actualNanoUsd, closedAt, call);
  await client.query(
    `INSERT INTO budget_overruns (reservation_id, run_id, pipeline_name, day, month, step, item_index, attempt, provider, model, synthetic,
       reserved_nano_usd, settled_nano_usd, overrun_nano_usd, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    overrunRowValues(overrun),
  );
  return { settled: true, overrun };
}

/** Releases a reservation inside the caller's transaction on `client`; false when it was already closed or is unknown. */
export async function releaseReservation(client: PostgresClient, reservationId: number, closedAt: string): Promise<boolean> {
  const row = await closeOpenRow(client, reservationId, "released", null, closedAt);
  if (!row) return false;
  await applyTotals(client, closingDeltas(row, 0));
  return true;
}

/**
 * Closes a reservation that is still open (reserved or expired) in one statement, and returns it
 * as it was; undefined when it was already closed or is unknown. The CTE locks the row first
 * (FOR UPDATE waits for a concurrent closer and then reads its result), so of two closers racing
 * the second finds the row closed; and it keeps the previous status, which says whether the
 * amount leaves the open or the expired total.
 */
async function closeOpenRow(
  client: PostgresClient,
  reservationId: number,
  status: "settled" | "released",
  settledNanoUsd: number | null,
  closedAt: string,
): Promise<OpenRow | undefined> {
  const result = await client.query<OpenRow>(
    `WITH previous AS (
       SELECT ${openRowColumns} FROM budget_reservations WHERE id = $1 FOR UPDATE
     )
     UPDATE budget_reservations SET status = $2, settled_nano_usd = $3, closed_at = $4
     FROM previous WHERE budget_reservations.id = previous.id AND previous.status IN ('reserved', 'expired')
     RETURNING previous.*`,
    [reservationId, status, settledNanoUsd, closedAt],
  );
  return result.rows[0];
}

/** Moves a closing reservation's worst case out of its open or expired state, and adds what it settled. */
function closingDeltas(row: OpenRow, settledNanoUsd: number): TotalsDelta[] {
  const wasExpired = row.status === "expired";
  return keysOfRow(row).map((key) => ({
    ...key,
    synthetic: row.synthetic,
    settled: settledNanoUsd,
    reserved: wasExpired ? 0 : -row.reservedNanoUsd,
    expired: wasExpired ? -row.reservedNanoUsd : 0,
    expiredCount: wasExpired ? -1 : 0,
  }));
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
