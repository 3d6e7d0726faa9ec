import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `kupgrade ARGS` as a user runs it: the committed shim (bin/kupgrade.mjs) in a
 * process of its own, no terminal, none of this process's kupgrade or AWS settings
 * (each test gives those it means).
 */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('KUPGRADE_') && !k.startsWith('AWS_') && k !== 'CI'),
  );
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['bin/kupgrade.mjs', ...args], {
      cwd: ROOT,
      // no instance metadata lookups from a test, whatever the credential chain tries
      env: { ...inherited, AWS_EC2_METADATA_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`kupgrade ${args.join(' ')} did not end within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Terminal escapes (colours, cursor moves): none may reach a pipe. */
// eslint-disable-next-line no-control-regex -- the escape character is what is looked for
export const ANSI = /\u001b\[/;
