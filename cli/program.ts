import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ApiError } from '../src/client/apiClient.js';
import type { Act } from './command.js';
import { registerCheckCommand } from './commands/check.js';
import { registerClusterCommands } from './commands/clusters.js';
import { registerControlCommands } from './commands/control.js';
import { registerEventsCommand } from './commands/events.js';
import { registerRegistrationCommands } from './commands/register.js';
import { registerStatusCommand } from './commands/status.js';
import { registerUpgradeCommand } from './commands/upgrade.js';
import { registerWindowCommand } from './commands/window.js';
import { DEFAULT_ENDPOINT } from './connection.js';
import { makeContext, type GlobalOptions } from './context.js';
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode } from './exitCodes.js';
import type { Io } from './io.js';
import { FORMATS, Output, type Format } from './output.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const MORE_HELP = `
Where it talks:
  the local stack (npm start) at ${DEFAULT_ENDPOINT} by default, with the token it keeps in .kupgrade/token
  ($KUPGRADE_DATA_DIR/token); a deployed API (--endpoint, KUPGRADE_URL: the stack output HttpApiUrl) with every
  request signed (SigV4) by the standard AWS credential chain (--profile, AWS_PROFILE, SSO, environment, roles).

Output: -o table (for people), json or yaml (for scripts: stdout holds only the data, messages go to stderr).
Without a terminal: no colours, no spinners, one line per change.

${EXIT_CODES_HELP}

Examples:
  kupgrade clusters
  kupgrade check demo --to 1.32.6
  kupgrade upgrade demo --to 1.32.6 --yes --wait
  kupgrade status demo --watch
  kupgrade --endpoint https://abc123.execute-api.eu-west-1.amazonaws.com --profile ops clusters`;

function buildProgram(io: Io, act: Act): Command {
  const program = new Command('kupgrade')
    .description('Upgrade the Kubernetes version of your clusters safely, through the kupgrade API.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(kupgrade --help shows the commands; kupgrade COMMAND --help their options)')
    .option('--endpoint <url>', `the API (KUPGRADE_URL; default ${DEFAULT_ENDPOINT}, the local stack)`)
    .option('--token <token>', 'a bearer token for the local stack (KUPGRADE_TOKEN; default: the token file npm start writes)')
    .option('--profile <name>', 'deployed: the AWS profile whose credentials sign each request (SigV4)')
    .option('--region <region>', "deployed: the API's AWS region (default: from the endpoint, AWS_REGION or the profile)")
    .addOption(new Option('-o, --output <format>', 'table, json or yaml').choices(FORMATS).default('table'))
    .option('--interval <seconds>', 'how often a wait, a watch or a follow looks again', '2')
    .addHelpText('after', MORE_HELP);
  registerClusterCommands(program, act);
  registerRegistrationCommands(program, act);
  registerCheckCommand(program, act);
  registerUpgradeCommand(program, act);
  registerStatusCommand(program, act);
  registerControlCommands(program, act);
  registerEventsCommand(program, act);
  registerWindowCommand(program, act);
  return program;
}

/** The exit code of an error: the documented one, having said what happened and what to do. */
function exitCodeFor(err: unknown, out: Output): ExitCode {
  if (err instanceof CommanderError) {
    // commander has printed the help or the error already
    // (--help, help, --version: 0; no command at all shows the help as an error)
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof CliError) {
    out.error({ message: err.message, ...(err.remedy ? { remedy: err.remedy } : {}) });
    return err.exitCode;
  }
  if (err instanceof ApiError) {
    out.error({ status: err.status, code: err.code, message: err.message, remedy: err.remedy });
    return err.status === 409 ? EXIT.refused : EXIT.apiError;
  }
  out.error({ message: `unexpected: ${(err as Error).stack ?? String(err)}`, remedy: 'this is a bug of the CLI: report it with the command that hit it' });
  return EXIT.failed;
}

/** Runs one command line; resolves to its exit code. */
export async function run(argv: string[], io: Io): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const act: Act =
    (handler) =>
    async (...params) => {
      const command = params.at(-1) as Command;
      const ctx = await makeContext(command.optsWithGlobals<GlobalOptions>(), io);
      code = await handler(ctx, command.processedArgs as string[], command.opts<never>());
    };
  const program = buildProgram(io, act);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    const format = (program.opts<{ output?: Format }>().output ?? 'table') as Format;
    return exitCodeFor(err, new Output(FORMATS.includes(format) ? format : 'table', io));
  }
}
