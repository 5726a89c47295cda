"""Group commit for SQLite: the write jobs of a process's threads share transactions, one commit for many.

With `PROOFHOOK_SQLITE_SYNCHRONOUS=FULL` every commit waits for the disk to confirm it (an fsync), and
SQLite lets one writer at a time do that, so a commit per webhook call capped ingest at about 1,000 calls/s
here whatever the CPU could do. Instead, the first thread to arrive leads: it runs every job queued
meanwhile in one transaction, each inside a savepoint, commits once, and hands the lead to a thread that
queued while it committed. Each caller still gets its answer only after the commit that holds its job, so
a 201 still means "committed"; a job that fails is rolled back alone; a commit that fails fails every job
in it, and none of them is stored.

Leaders of different processes take turns on a lock file beside the database. SQLite's own lock stays the
real guard (other writers, like `flask events import`, still wait on it), but its busy handler sleeps
1, 2, 5… 100 ms between tries, so a leader losing to another process slept far longer than the other's
commit took, while its followers waited on it: p99 went from 50 to 300 ms without the lock file.
"""
import copy
import fcntl
import os
import sqlite3
import threading
import time
import weakref
from contextlib import contextmanager


class Ticket:
    """One job waiting for the commit that will hold it."""

    __slots__ = ("job", "result", "error", "lead", "ready")

    def __init__(self, job):
        """Wrap `job`, a function of a connection that writes and returns a result."""
        self.job = job
        self.result = None
        self.error: BaseException | None = None
        self.lead = False
        # Made only for a thread that waits: one that leads at once (the usual case) never needs it.
        self.ready: threading.Event | None = None

    def outcome(self):
        """Return the job's result, or raise what made it fail."""
        if self.error is not None:
            raise self.error
        return self.result


class GroupCommit:
    """The queue of one process's write jobs and who leads their next commit."""

    def __init__(self, transaction, timeout_s: float):
        """Start with no job queued and no leader.

        `transaction(conn)` is the storage layer's transaction; `timeout_s` how long a leader waits for its turn
        (the database's busy timeout).
        """
        self._transaction = transaction
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._queued: list[Ticket] = []
        self._leading = False
        self._lock_files: dict[tuple[int, str], int] = {}
        # An app made and dropped (the tests make hundreds) must not leave its lock files open.
        weakref.finalize(self, close_lock_files, self._lock_files)

    def run(self, conn, job):
        """Run job(conn) in a transaction shared with the jobs queued with it; return its result once committed.

        `conn` is this thread's own connection, used if this thread leads the commit.
        """
        return self.run_on(lambda: conn, job)

    def run_on(self, writer, job):
        """Run `job` as `run` does, on the connection writer() returns, asked for only by the commit's leader."""
        ticket = Ticket(job)
        with self._lock:
            self._queued.append(ticket)
            ticket.lead = not self._leading
            if not ticket.lead:
                ticket.ready = threading.Event()
            self._leading = True
        if not ticket.lead:
            ticket.ready.wait()  # set once the job is committed (or failed), or when this thread is to lead
        if ticket.lead:
            self._commit_queued(writer)
        return ticket.outcome()

    def when_idle(self, action) -> bool:
        """Run action() now if no leader is committing (none starts until it is done); return whether it ran."""
        with self._lock:
            if self._leading:
                return False
            action()
            return True

    def _commit_queued(self, writer) -> None:
        """As the leader: commit everything queued on writer(), then pass the lead to a thread queued since."""
        with self._lock:
            batch, self._queued = self._queued, []
        failure = None
        try:
            conn = writer()
            with self._writer_turn(conn.path):
                commit_batch(self._transaction, conn, batch)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            # Nothing of the batch is stored if it failed, whenever it did (the lock file, a job, the commit).
            settle(batch, failure)
            with self._lock:
                waiting = self._queued
                if waiting and isinstance(failure, sqlite3.OperationalError):
                    # Busy past the timeout, full or read-only: that holds for the threads that queued during
                    # this attempt too. They answer now rather than each wait out the busy timeout again.
                    self._queued = []
                    settle(waiting, failure)
                    self._leading = False
                elif waiting:
                    successor = waiting[0]
                    successor.lead = True
                    successor.ready.set()
                else:
                    self._leading = False

    @contextmanager
    def _writer_turn(self, database: str):
        """Hold the database's writer lock file, on which the processes' leaders take turns."""
        # Opened per process: flock belongs to the open file, which a descriptor opened before gunicorn's
        # fork would share among all the workers. Read-only, which flock allows: a file held open for
        # writing would stop the disk from being remounted read-only.
        key = (os.getpid(), database)
        descriptor = self._lock_files.get(key)
        if descriptor is None:
            descriptor = self._lock_files[key] = open_lock_file(f"{database}-writer.lock")
        if descriptor is None:
            # No lock file (a read-only disk, say): SQLite's own lock still keeps the writers apart.
            self._lock_files.pop(key)  # try again next time
            yield
            return
        locked = self._take_turn(descriptor)
        try:
            yield
        finally:
            if locked:
                fcntl.flock(descriptor, fcntl.LOCK_UN)

    def _take_turn(self, descriptor: int) -> bool:
        """Wait for the lock file, at most the busy timeout; False if this file system can't lock it."""
        # Polled rather than blocking, so that the wait has the same bound as SQLite's own; the pauses stay
        # under a millisecond, where SQLite's busy handler grows them to 100 ms.
        deadline = time.monotonic() + self._timeout_s
        pause = 0.0001
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked: another process's writer held it") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.001)
            except OSError:
                return False  # no flock here (ENOLCK, say): SQLite's own lock still keeps the writers apart


def open_lock_file(path: str) -> int | None:
    """Open (creating) a lock file read-only; None if it can't be."""
    try:
        return os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
    except OSError:
        return None


def close_lock_files(lock_files: dict[tuple[int, str], int]) -> None:
    """Close the lock files this process opened."""
    for (pid, _database), descriptor in lock_files.items():
        if pid == os.getpid() and descriptor is not None:
            os.close(descriptor)


def commit_batch(transaction, conn, batch: list[Ticket]) -> None:
    """Run each ticket's job in its own savepoint of one transaction, then commit them all at once."""
    if len(batch) == 1:
        # Alone, the job's transaction is its savepoint: its failure rolls back only its own writes.
        with transaction(conn):
            batch[0].result = batch[0].job(conn)
        return
    with transaction(conn):
        for ticket in batch:
            conn.execute("SAVEPOINT job")
            try:
                ticket.result = ticket.job(conn)
            except Exception as exc:
                ticket.error = exc
                try:
                    # This job's writes are undone; the others in the transaction go on.
                    conn.execute("ROLLBACK TO job")
                except sqlite3.Error:
                    raise exc from None  # the transaction went with it (a full disk, say): all fail alike
            conn.execute("RELEASE job")


def settle(tickets: list[Ticket], failure: BaseException | None) -> None:
    """Give each waiting ticket its outcome and wake its thread: `failure`, if the transaction failed."""
    for ticket in tickets:
        if failure is not None and ticket.error is None:
            # A copy each: one exception object raised in many threads would tangle their tracebacks.
            ticket.error = copy.copy(failure)
            ticket.error.__cause__ = failure
        ticket.lead = False
        if ticket.ready is not None:
            ticket.ready.set()
