import SqliteDatabase from 'better-sqlite3';

/**
 * Keeps this process holding a shared lock on an SQLite file at all times.
 *
 * Every statement run outside a transaction takes the file's shared lock and drops it again
 * when done: two fcntl() system calls, about 4 µs here, which is most of a point read's cost.
 * SQLite counts the shared locks of one process on one file and makes the system call only
 * when the count leaves or reaches zero, so while one connection of the process holds the lock,
 * the others take theirs for nothing. What a statement reads is unchanged: each one still
 * starts its own read of the latest committed state.
 *
 * The lock is held by a read transaction, which also pins the write-ahead log at the state it
 * started from (the log cannot be checkpointed past it, nor restarted). So two connections take
 * turns: every `renewMs`, and after each commit of this process (`renew`), the idle one starts
 * a read and only then does the other end its own, and no read held here is ever older than
 * that. That is not enough under a steady stream of commits: a checkpoint could then never
 * reach the end of the log, the log would never start over and would grow by everything
 * written. So one turn in `PAUSE_EVERY` holds nothing, and the next checkpoint completes. (The
 * writer thread's commits, which checkpoint nothing themselves, are checkpointed once the held
 * read has moved past them: `checkpointAfterCommit` in open.ts.) Both connections are read-only.
 *
 * A failed renewal (the file busy, say) ends both reads and changes nothing but speed: the
 * statements then take their locks themselves until the next turn succeeds.
 */
export interface LockKeeper {
  /**
   * Moves the held read to the latest state now. Called after each commit of this process:
   * a statement that starts after a commit reads through a newer mark of the log than the held
   * read, whose lock the process does not hold yet, and pays the system calls until the next turn.
   */
  renew(): void;
  close(): void;
}

/** How often the held read moves to the latest state (besides after each commit). */
const RENEW_MS = 5;
/** One turn in this many holds nothing, so that a checkpoint can reach the end of the log. */
const PAUSE_EVERY = 10;

export function keepSharedLock(file: string, renewMs = RENEW_MS): LockKeeper {
  const connections = [0, 1].map(() => {
    const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
    return { db, read: db.prepare('select 1 from sqlite_master limit 1') };
  });
  let holder: (typeof connections)[number] | undefined;
  const end = (c: (typeof connections)[number]) => {
    try {
      if (c.db.inTransaction) c.db.exec('commit');
    } catch {
      // A read-only transaction has nothing to lose; the connection is reused as it is.
    }
  };

  let turn = 0;
  let closed = false;
  function renew(): void {
    if (closed) return;
    const previous = holder;
    holder = undefined;
    if (++turn % PAUSE_EVERY === 0) {
      if (previous) end(previous);
      return;
    }
    const next = connections.find((c) => c !== previous)!;
    try {
      next.db.exec('begin');
      next.read.get();
      holder = next;
    } catch {
      end(next);
    }
    if (previous) end(previous);
  }

  renew();
  const timer = setInterval(renew, renewMs);
  timer.unref();
  return {
    renew,
    close() {
      closed = true;
      clearInterval(timer);
      for (const c of connections) {
        end(c);
        c.db.close();
      }
    },
  };
}
