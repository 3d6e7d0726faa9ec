import { createInterface } from 'node:readline/promises';
import type { Io } from './io.js';
import { usageError } from './exitCodes.js';

/** Without a terminal there is nobody to ask: the change needs --yes. */
export function assertCanAsk(io: Io): void {
  if (!io.interactive || !io.stdin.isTTY) throw usageError('not changing anything without a confirmation, and there is no terminal to ask on', 'pass --yes');
}

/** Asks a yes/no question at the terminal. */
export async function confirm(io: Io, question: string): Promise<boolean> {
  assertCanAsk(io);
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
