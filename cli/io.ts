/** The process the CLI runs in, as one object: the commands never reach for globals, so each part can be read alone. */
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: Record<string, string | undefined>;
  /** a person at a terminal: colours, spinners and bars, questions; otherwise one plain line per change */
  interactive: boolean;
}

export function processIo(): Io {
  // a reader that stops early (kupgrade events demo | head) ends the command quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const env = process.env;
  const interactive = Boolean(process.stdout.isTTY && process.stderr.isTTY) && env.TERM !== 'dumb' && !env.CI;
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env, interactive };
}
