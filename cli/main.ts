import { processIo } from './io.js';
import { run } from './program.js';

// The exit code is set, not forced: the output written to a pipe is flushed before the process ends.
process.exitCode = await run(process.argv, processIo());
