/**
 * A process's lease on the shared ledger: a row in `ledger_processes` and a session-level advisory
 * lock on it, held on a connection of its own for as long as the process lives. Nothing renews it:
 * when the process dies — killed, crashed, its machine cut off — its connection closes and the
 * server frees the lock. Any process on any machine can then take the lock, which is how it knows
 * the lease's reservations belong to a process that is gone (`expireReservations`).
 *
 * Why not host name + process id alone: a process can only ask its own machine whether a process
 * id runs, so a runner that crashed on another machine would hold the team's money until its
 * reservations' deadline. (Host name and process id are still recorded, for people reading.)
 *
 * A machine that vanishes without closing its connections is noticed when the server's TCP
 * keepalive gives up; until then its reservations count at their worst case, as always. A lease
 * connection that breaks while the process lives (server restart) is replaced on the next
 * reservation; reservations made under the old lease may be expired as a gone process's in the
 * meantime: they keep counting and can still be settled, so no money is lost or freed early.
 */
import pg from "pg";

/** The advisory-lock namespace of leases (`pg_advisory_lock(namespace, lease id)`): "orch" in ASCII. */
export const leaseLockNamespace = 0x6f726368;

export interface ProcessLease {
  /** This process's lease id, taken on first use (and again if its connection was lost). */
  id(owner: { hostName: string; processId: number }): Promise<number>;
  close(): Promise<void>;
}

export function processLease(url: string): ProcessLease {
  let current: Promise<{ client: pg.Client; id: number }> | undefined;
  const take = async (owner: { hostName: string; processId: number }) => {
    const client = new pg.Client({ connectionString: url });
    // A lost lease connection must not end the process: the next reservation takes a new lease.
    const forget = () => {
      current = undefined;
    };
    client.on("error", forget);
    client.on("end", forget);
    await client.connect();
    try {
      const inserted = await client.query<{ id: number }>(
        `INSERT INTO ledger_processes (host_name, process_id, started_at) VALUES ($1, $2, now()) RETURNING id`,
        [owner.hostName, owner.processId],
      );
      const id = inserted.rows[0]!.id;
      await client.query(`SELECT pg_advisory_lock($1, $2)`, [leaseLockNamespace, id]);
      return { client, id };
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  };
  return {
    async id(owner) {
      current ??= take(owner).catch((error: unknown) => {
        current = undefined;
        throw error;
      });
      return (await current).id;
    },
    async close() {
      const held = current;
      current = undefined;
      if (held) await (await held.catch(() => undefined))?.client.end();
    },
  };
}
