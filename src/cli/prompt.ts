/**
 * Questions at the terminal or over a pipe, for the commands that ask (`rampart configure`,
 * `rampart login`): one reader for the whole command, so that piped answers are taken one line
 * per question, in order. Typed secrets are not echoed at a terminal. The end of the input before
 * an answer is an error (NoInputError), never an empty answer nor a question left waiting.
 */
import { createInterface } from 'node:readline';

export class NoInputError extends Error {
  constructor(question: string) {
    super(`no input: the input ended before an answer to "${question.trim().replace(/:$/, '')}"`);
    this.name = 'NoInputError';
  }
}

export interface Prompter {
  /** The next line of input, trimmed; rejects with NoInputError at the end of the input. */
  ask(question: string, hidden?: boolean): Promise<string>;
  close(): void;
}

export function createPrompter(
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Prompter {
  const tty = input.isTTY === true;
  const rl = createInterface({ input, output, terminal: tty });
  const lines: string[] = [];
  const waiting: { take: (line: string) => void; fail: () => void }[] = [];
  let ended = false;
  let muted = false;
  const out = rl as unknown as { _writeToOutput?: (s: string) => void };
  const write = out._writeToOutput?.bind(rl);
  if (tty && write) out._writeToOutput = (s: string) => (muted ? undefined : write(s));
  rl.on('line', (line) => {
    const w = waiting.shift();
    if (w) w.take(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w.fail();
  });
  return {
    ask(question, hidden = false) {
      output.write(question);
      muted = hidden;
      return new Promise((resolve, reject) => {
        const done = (): void => {
          muted = false;
          if (hidden && tty) output.write('\n');
        };
        const take = (line: string): void => {
          done();
          resolve(line.trim());
        };
        const fail = (): void => {
          done();
          output.write('\n');
          reject(new NoInputError(question));
        };
        const ready = lines.shift();
        if (ready !== undefined) take(ready);
        else if (ended) fail();
        else waiting.push({ take, fail });
      });
    },
    close: () => rl.close(),
  };
}
