/**
 * The Z3 solver (z3-solver, a WebAssembly build with worker threads): loaded once per process
 * on first use and shared; `closeSolver` ends its threads so a command can exit.
 */
import type { Context } from 'z3-solver';

export type Z3 = Context<'main'>;

interface Loaded {
  readonly ctx: Z3;
  readonly em: unknown;
}

let loading: Promise<Loaded> | undefined;

/** The shared Z3 context, loading the solver on first call. */
export async function solverContext(): Promise<Z3> {
  loading ??= (async () => {
    const { init } = await import('z3-solver');
    const api = await init();
    const ctx = api.Context('main');
    // The first checks start the worker threads and the arithmetic engine (about a second
    // each): pay for them here, not in the first proof.
    const warm = new ctx.Solver();
    const [x, i, b] = [ctx.Real.const('x'), ctx.Int.const('i'), ctx.Bool.const('b')];
    warm.add(
      x.gt(ctx.Real.val({ numerator: 3n, denominator: 2n })),
      i.ge(0),
      ctx.Implies(b, i.le(ctx.Int.val(2n ** 128n))),
      ctx.Or(b, ctx.ToReal(i).gt(x)),
    );
    await warm.check();
    return { ctx, em: api.em as unknown };
  })();
  return (await loading).ctx;
}

/** Stops the solver's worker threads (the process can then exit); a later call loads it again. */
export async function closeSolver(): Promise<void> {
  const current = loading;
  if (!current) return;
  loading = undefined;
  const { em } = await current;
  const { killThreads } = await import('z3-solver');
  await killThreads(em);
}

/**
 * Z3 reads string literals as escaped ASCII: every character outside printable ASCII, and the
 * backslash, is written `\u{hex}` (one code point each).
 */
export function toZ3String(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    out += c >= 0x20 && c < 0x7f && c !== 0x5c ? ch : `\\u{${c.toString(16)}}`;
  }
  return out;
}

/** The inverse of toZ3String, for strings read back from a model. */
export function fromZ3String(s: string): string {
  return s.replace(/\\u\{([0-9a-fA-F]{1,6})\}/g, (_m, hex: string) =>
    String.fromCodePoint(parseInt(hex, 16)),
  );
}
