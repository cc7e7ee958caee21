/**
 * The ledger's store contract: what the budget ledger needs from persistence, asynchronous so that
 * an embedded store (SQLite, one machine) and a shared one (PostgreSQL, any number of machines)
 * both implement it. Types only: this file imports nothing, and implementations import it, never
 * each other's internals.
 *
 * Money is integer nano-dollars everywhere here (1 USD = 1e9); instants are ISO-8601 strings.
 *
 * What a scope has used = settled amounts + open reservations at their worst case + expired
 * reservations at their worst case (a vanished process may have spent it: never guess low).
 */

/** The period a budget counts over. */
export type LedgerScope = "run" | "day" | "month";

/**
 * A narrower subject of a scope: one pipeline (by name), the steps carrying one tag, one team, or
 * one project. Team and project subjects count in days and months only. A reservation made for a
 * project names its pipelines and tags `project/name` (see `ReservationRequest.project`), because
 * two projects sharing a store may both have a `release-notes` pipeline.
 */
export interface ScopeSubject {
  kind: "pipeline" | "tag" | "team" | "project";
  name: string;
}

/** The periods a reservation falls in: its run, and its day and month in the ledger's calendar. */
export interface ScopeKeys {
  runId: string;
  /** `2026-03-31`, in the ledger's one calendar zone (see `calendarZone`). */
  day: string;
  /** `2026-03`. */
  month: string;
}

/**
 * Which money a figure counts. A run's budget counts both; a day or a month is the user's real
 * money, so it counts real spend only. Synthetic money comes from mock and replay calls.
 */
export type MoneyKind = "all" | "real" | "synthetic";

/** A hard limit on one scope: a run, a day or a month, optionally narrowed to a pipeline or a tag. */
export interface ScopeLimit {
  scope: LedgerScope;
  subject?: ScopeSubject;
  limitNanoUsd: number;
}

/** The process holding a reservation. Processes on different machines share one ledger, so a process id alone names nothing. */
export interface ProcessRef {
  processId: number;
  hostName: string;
}

/** Which team and project a reservation spends for (a policy's `budget.team` and `budget.project`). */
export interface ProjectRef {
  /** Counted under `{ kind: "team", name: team }` for the day and month. Only with a project. */
  team?: string;
  /** Counted under `{ kind: "project", name: project }`; the pipeline and tags count as `project/name`. */
  project?: string;
}

export interface ReservationRequest extends ScopeKeys, ProcessRef, ProjectRef {
  /** The pipeline's own name; the store qualifies it by the project (`project/name`) where it counts. */
  pipelineName: string;
  /** The step's tags, for per-tag limits (qualified by the project like the pipeline). */
  tags?: readonly string[];
  amountNanoUsd: number;
  /** Synthetic money (a mock or replay call): checked against run limits only, never a day or a month. */
  synthetic?: boolean;
  /**
   * Every limit the reservation must fit under; a scope without a limit is not checked. When both
   * `team` and `project` are given, the team's stored limits (`setTeamLimits`) bind too: the store
   * reads them in the reservation's own transaction, after these, so a limit changed on another
   * machine binds from the next reservation on.
   */
  limits: readonly ScopeLimit[];
  createdAt: string;
  /** After this instant an open reservation may be expired by anyone reconciling (its process may be gone). */
  expiresAt: string;
}

export type ReservationOutcome =
  | { ok: true; reservationId: number }
  /** `usedNanoUsd`: what the refusing scope held before this request. */
  | { ok: false; limit: ScopeLimit; usedNanoUsd: number };

/** What one scope holds, in nano-USD, split by state. */
export interface ScopeUsage {
  settledNanoUsd: number;
  /** Open reservations at their worst case. */
  reservedNanoUsd: number;
  /** Reservations of vanished processes, at their worst case. */
  expiredNanoUsd: number;
  expiredCount: number;
}

/** Where a reservation counts: read back after a settle, to check the alerts of its scopes. */
export interface ReservationScopes extends ScopeKeys, ProjectRef {
  pipelineName: string;
  tags: string[];
}

/** A period a team's limits count over: the calendar day or month. */
export type TeamLimitScope = "day" | "month";

/**
 * One limit a team set for itself (no `project`) or for one of its projects, stored in the shared
 * database so every project reads the same figure; with who set it and when.
 */
export interface TeamLimit {
  team: string;
  /** Absent: the team's own limit, over all its projects. */
  project?: string;
  scope: TeamLimitScope;
  limitNanoUsd: number;
  /** Who set it (`user@host`, or what `--by` said). */
  setBy: string;
  setAt: string;
}

/** One change of `setTeamLimits`: a new limit, or `null` to remove it. */
export interface TeamLimitChange {
  project?: string;
  scope: TeamLimitScope;
  limitNanoUsd: number | null;
}

/** A reservation as reconciliation reports it. */
export interface ReservationRow {
  id: number;
  runId: string;
  pipelineName: string;
  reservedNanoUsd: number;
  processId: number;
  /** The machine of its process (an embedded store answers its own machine's name). */
  hostName: string;
  createdAt: string;
  expiresAt: string;
  /** Set when the store itself knows the process is gone (PostgreSQL: its session lease was free), on whatever machine. */
  processGone?: boolean;
}

/** The call a settlement belongs to, so an overrun says which call went over. */
export interface SettledCall {
  step: string;
  item?: number;
  attempt: number;
  provider: string;
  model: string;
}

/** A settlement above its reservation: usage beyond what the request allowed. */
export interface OverrunRecord extends SettledCall {
  reservationId: number;
  runId: string;
  pipelineName: string;
  day: string;
  month: string;
  synthetic: boolean;
  reservedNanoUsd: number;
  settledNanoUsd: number;
  overrunNanoUsd: number;
  createdAt: string;
}

export interface SettleOutcome {
  /** False when the reservation was already closed (settled or released). */
  settled: boolean;
  /** Set when the real cost was above the reservation: recorded in the same transaction as the settlement. */
  overrun?: OverrunRecord;
}

export interface AlertRecord {
  scope: LedgerScope;
  subject?: ScopeSubject;
  /** The run id, day or month the alert belongs to. */
  period: string;
  fraction: number;
  usedNanoUsd: number;
  limitNanoUsd: number;
  runId: string;
  createdAt: string;
}

/**
 * The ledger's rows, behind one asynchronous interface. Every promise settles after the change is
 * durable for every other process sharing the store (committed).
 */
export interface LedgerStore {
  /**
   * Check-and-insert, atomic against every other process and machine sharing the store: the
   * reservation is recorded only if, for every limit, used + amount ≤ limit at that moment.
   * `used` includes settled overruns, so a scope already over its limit refuses any amount above $0.
   */
  reserve(request: ReservationRequest): Promise<ReservationOutcome>;
  /**
   * Records the real cost, also of a reservation that had expired meanwhile (its process was slow,
   * not gone). A cost above the reservation is recorded as is — the ledger must not lie about
   * spend — and the excess as an overrun, in the same transaction. A closed reservation is left alone.
   */
  settle(reservationId: number, actualNanoUsd: number, closedAt: string, call?: SettledCall): Promise<SettleOutcome>;
  /** Nothing was spent: the worst case is freed, also for an expired reservation. False when already closed. */
  release(reservationId: number, closedAt: string): Promise<boolean>;
  /** settled + open + expired in a scope, counting the money its budget counts. */
  usedInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject): Promise<number>;
  /** What a scope holds; `money` defaults to what the scope's budget counts (run: all, day and month: real). */
  usageInScope(scope: LedgerScope, keys: ScopeKeys, subject?: ScopeSubject, money?: MoneyKind): Promise<ScopeUsage>;
  reservationScopes(reservationId: number): Promise<ReservationScopes | undefined>;
  /** Reservations still open (neither settled, released nor expired), in one run or in all. */
  openReservationCount(runId?: string): Promise<number>;
  /** The processes holding open reservations — on one machine when `hostName` is given — to find the vanished ones. */
  processesWithOpenReservations(hostName?: string): Promise<ProcessRef[]>;
  /**
   * Expires, in one transaction, every open reservation past its `expiresAt`, every open
   * reservation of the given (vanished) processes, and those of processes the store itself knows
   * are gone (PostgreSQL: a lease no session holds), and returns the rows it closed, by id. They
   * keep counting at their worst case. Run by whoever reconciles; two reconciling at once close
   * each row once.
   */
  expireReservations(now: string, vanished: readonly ProcessRef[]): Promise<ReservationRow[]>;
  /** Overruns recorded in this run, day or month (overruns of synthetic money only in the run). */
  overrunsInPeriods(keys: ScopeKeys): Promise<OverrunRecord[]>;
  /** Overruns recorded at or after `sinceIso` and before `untilIso`, oldest first. */
  overrunsBetween(sinceIso: string, untilIso: string): Promise<OverrunRecord[]>;
  /**
   * The store's one calendar zone: the first process to ask fixes it with its proposal, and every
   * later one — on any machine, whatever its own `TZ` — reads that back.
   */
  calendarZone(proposed: string, at: string): Promise<string>;
  /** True for exactly one caller per (scope, subject, period, fraction), across processes and machines. */
  recordAlert(alert: AlertRecord): Promise<boolean>;
  /** Alerts already recorded for the periods of these keys (this run, this day, this month), oldest first. */
  alertsInPeriods(keys: ScopeKeys): Promise<AlertRecord[]>;
  /** The limits stored for a team and its projects, by project (the team's own first), then day before month. */
  teamLimits(team: string): Promise<TeamLimit[]>;
  /** Applies the changes in one transaction, each limit recording `setBy` and `setAt`; returns the team's limits as they now stand. */
  setTeamLimits(team: string, changes: readonly TeamLimitChange[], setBy: string, setAt: string): Promise<TeamLimit[]>;
  /** Teams with stored limits or with reservations in this month, sorted. */
  teams(month: string): Promise<string[]>;
  /** A team's projects: those with a stored cap, and those that reserved for the team in this month; sorted. */
  teamProjects(team: string, month: string): Promise<string[]>;
  /** Names of the subjects of one kind with figures in this day or month (`prefix`: only names starting with it), sorted. */
  subjectsInPeriod(scope: TeamLimitScope, keys: ScopeKeys, kind: ScopeSubject["kind"], prefix?: string): Promise<string[]>;
}
