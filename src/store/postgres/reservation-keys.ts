/**
 * Which totals rows a reservation counts in, for closing it in one statement
 * (`orch_close_reservation` takes them as arrays, so "where a reservation counts" is decided in
 * one place, `ledger-scopes.ts`, for both stores).
 *
 * The process that reserved knows the keys already: they are remembered at reservation and
 * forgotten when it closes, so `orch run`'s settle costs one round trip. Any other closer (another
 * process settling an expired reservation, a reservation made before a restart) reads them from
 * the reservation's row first. That read needs no lock: the columns the keys come from (run, day,
 * month, pipeline, team, project, tags) never change after the insert.
 */
import type { ReservationScopes } from "../../contracts/ledger-store.js";
import { projectOf, type ProjectColumns } from "../ledger-scopes.js";
import { lockOrdered, totalsKeysOf, type TotalsKey } from "./scope-totals.js";
import type { Queryable } from "./sql.js";

/** Reservations remembered at most; past it the oldest is forgotten (and read back if it is closed here). */
const defaultCapacity = 10_000;

export class ReservationKeys {
  private readonly known = new Map<number, TotalsKey[]>();

  constructor(private readonly capacity = defaultCapacity) {}

  /** `keys` once each in the lock order, as `lockOrdered` returns them. */
  remember(reservationId: number, keys: TotalsKey[]): void {
    if (this.known.size >= this.capacity) this.known.delete(this.known.keys().next().value!);
    this.known.set(reservationId, keys);
  }

  forget(reservationId: number): void {
    this.known.delete(reservationId);
  }

  /** The reservation's keys in the lock order; undefined for an unknown reservation. */
  async of(database: Queryable, reservationId: number): Promise<TotalsKey[] | undefined> {
    const known = this.known.get(reservationId);
    if (known) return known;
    const scopes = await readReservationScopes(database, reservationId);
    return scopes && lockOrdered(totalsKeysOf(scopes));
  }
}

export async function readReservationScopes(database: Queryable, reservationId: number): Promise<ReservationScopes | undefined> {
  const result = await database.query<Omit<ReservationScopes, "team" | "project"> & ProjectColumns>(
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
