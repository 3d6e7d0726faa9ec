import type { Ctx } from './context.js';
import type { ExitCode } from './exitCodes.js';

/** A command's work: its positional arguments and own options in, the exit code out. */
type Handler<O = Record<string, unknown>> = (ctx: Ctx, args: string[], opts: O) => Promise<ExitCode>;

/** Turns a handler into a commander action: the context is made from the global options, the exit code kept. */
export type Act = <O>(handler: Handler<O>) => (...params: unknown[]) => Promise<void>;
