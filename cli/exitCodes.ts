import type { Upgrade } from '../src/client/apiClient.js';

/** The exit codes kupgrade documents (README, `kupgrade --help`); scripts branch on them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  pausedByError: 3,
  refused: 4,
  pausedOnRequest: 5,
  cancelled: 6,
  expired: 7,
  apiError: 8,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  succeeded, or done (an upgrade still running when the command ends is 0 too)
  1  failed: a check that failed, an upgrade that failed its precheck
  2  usage: a bad command line, or a change that needs --yes without a terminal to ask on
  3  the upgrade is paused by an error (its reason and remedy are printed)
  4  refused by the API (409): the cluster or upgrade is not in a state that allows it
  5  the upgrade is paused on request
  6  the upgrade was cancelled
  7  the upgrade expired (left paused too long)
  8  any other API error (4xx, 5xx) or an API that cannot be reached, with its message and remedy`;

/** What an upgrade's state means to a script: the code a command that shows or follows it exits with. */
export function exitCodeOf(u: Pick<Upgrade, 'status' | 'error'>): ExitCode {
  switch (u.status) {
    case 'failed':
      return EXIT.failed;
    case 'paused':
      return u.error ? EXIT.pausedByError : EXIT.pausedOnRequest;
    case 'cancelled':
      return EXIT.cancelled;
    case 'expired':
      return EXIT.expired;
    default:
      return EXIT.ok;
  }
}

/** An error of the command line itself (not of the API): its exit code, and what to do about it. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly remedy?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string, remedy?: string) => new CliError(message, EXIT.usage, remedy);
