import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WriterReply, WriterRequest, WriterThreadData } from './writer-thread.js';
import type { WriterTaskInput, WriterTaskName, WriterTaskOutput } from './writer-tasks.js';

/** The serving thread's side of a writer thread (writer-thread.ts). */
export interface WriterThread {
  /** Runs a task on the thread in one transaction; resolves once it committed. */
  run<K extends WriterTaskName>(name: K, input: WriterTaskInput<K>): Promise<WriterTaskOutput<K>>;
  /** False once the thread has stopped (closed, or failed): tasks then run elsewhere. */
  readonly alive: boolean;
  /** True once the thread has opened the database it writes. */
  readonly ready: boolean;
  /** Lets the tasks sent finish, then stops the thread and closes its connection. */
  close(): Promise<void>;
}

/** An error the thread met, with SQLite's code when it had one. */
class WriterTaskError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'WriterTaskError';
  }
}

/** A task sent to the thread, waiting for its answer. */
interface Pending {
  readonly resolve: (output: unknown) => void;
  readonly reject: (err: Error) => void;
}

const THREAD_MODULE = new URL('./writer-thread.js', import.meta.url);

/**
 * Starts a writer thread on an SQLite file, or answers undefined where the compiled thread
 * module is not beside this one (the sources run by the test runner, which a thread cannot
 * load): the caller then runs its tasks on its own thread.
 */
export function startWriterThread(data: WriterThreadData): WriterThread | undefined {
  if (!existsSync(fileURLToPath(THREAD_MODULE))) return undefined;
  const worker = new Worker(THREAD_MODULE, { workerData: data });
  // An idle thread does not keep the process alive; one with tasks in flight does.
  worker.unref();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let alive = true;
  let drained: (() => void) | undefined;

  function settle(id: number, fn: (p: Pending) => void) {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    fn(p);
    if (pending.size === 0) {
      worker.unref();
      drained?.();
    }
  }

  let ready = false;
  worker.on('message', (reply: WriterReply) => {
    if ('ready' in reply) {
      ready = true;
      return;
    }
    settle(reply.id, (p) =>
      reply.ok ? p.resolve(reply.output) : p.reject(new WriterTaskError(reply.message, reply.code)),
    );
  });
  let closing = false;
  const stopped = (err: Error) => {
    if (alive && !closing) {
      // Said once, where an operator looks: the serving thread does this thread's work from now on.
      process.emitWarning(
        `the SQLite writer thread stopped (${err.message}); its writes run on the serving thread until a new one is started`,
        { code: 'RAMPART_SQLITE_WRITER_THREAD_STOPPED' },
      );
    }
    alive = false;
    for (const id of [...pending.keys()]) settle(id, (p) => p.reject(err));
  };
  worker.on('error', stopped);
  worker.on('exit', (code) => stopped(new Error(`the SQLite writer thread stopped (exit code ${code})`)));

  return {
    get alive() {
      return alive;
    },
    get ready() {
      return alive && ready;
    },
    run<K extends WriterTaskName>(name: K, input: WriterTaskInput<K>): Promise<WriterTaskOutput<K>> {
      if (!alive) return Promise.reject(new Error('the SQLite writer thread has stopped'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        if (pending.size === 0) worker.ref();
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, name, input } satisfies WriterRequest);
      });
    },
    async close() {
      if (!alive) return;
      closing = true;
      if (pending.size > 0) await new Promise<void>((r) => (drained = r));
      alive = false;
      await worker.terminate();
    },
  };
}
