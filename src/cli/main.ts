import { Command, CommanderError } from 'commander';
import { describeThrown, EnvwardError, isEnvwardError, UsageError } from '../errors.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerConfigCommands } from './commands/config.js';
import { registerConsoleCommands } from './commands/console.js';
import { registerDataCommands } from './commands/data.js';
import { registerDbCommands } from './commands/db.js';
import { registerDbBackupCommands } from './commands/db-backup.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDeploySwitchCommand } from './commands/deploy-switch.js';
import { registerEnvCommand } from './commands/env.js';
import { registerFlagsCommands } from './commands/flags.js';
import { registerInitCommand } from './commands/init.js';
import { registerJobsCommands } from './commands/jobs.js';
import { registerMigrateCommands } from './commands/migrate.js';
import { registerObserveCommands } from './commands/observe.js';
import { registerPreflightCommand } from './commands/preflight.js';
import { registerPreviewCommands } from './commands/preview.js';
import { registerRequestsCommands } from './commands/requests.js';
import { registerScanCommand } from './commands/scan.js';
import { registerSecretsCommands } from './commands/secrets.js';
import { type CommonOptions, forceFrom } from './common-options.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { withExitStatus } from './exit-status.js';
import { Output } from './output.js';

// Defined by the build from package.json; running from src/ (tests) it is 'dev'.
declare const ENVWARD_VERSION: string | undefined;

function buildProgram(): Command {
  const program = new Command('envward')
    .description('one codebase, safe in development, test, staging and production')
    .version(typeof ENVWARD_VERSION === 'string' ? ENVWARD_VERSION : 'dev')
    .exitOverride()
    // `--version` after a command name is that command's (deploy record --version 1.4.2), not envward's.
    .enablePositionalOptions()
    .showHelpAfterError(false)
    // Parse errors are printed by runCli as EW_USAGE, like every other error.
    .configureOutput({ outputError: () => {} });
  // No reason, no override: checked before any command runs, so none can forget it.
  program.hook('preAction', (_program, action) => {
    forceFrom(action.opts<CommonOptions>());
    // The CLI works on the current directory's project: never the library's fallback to the entry
    // script's directory, which for the CLI is envward's own bin inside some node_modules.
    if (action.opts<CommonOptions>().cwd === undefined) action.setOptionValue('cwd', process.cwd());
  });
  registerEnvCommand(program);
  registerInitCommand(program);
  registerConfigCommands(program);
  registerSecretsCommands(program);
  registerScanCommand(program);
  registerDbBackupCommands(registerDbCommands(program));
  registerAuditCommands(program);
  registerMigrateCommands(program);
  registerObserveCommands(program);
  registerPreflightCommand(program);
  registerPreviewCommands(program);
  registerFlagsCommands(program);
  registerJobsCommands(program);
  registerConsoleCommands(program);
  registerRequestsCommands(program);
  registerDataCommands(program);
  registerDeploySwitchCommand(registerDeploy(program));
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns its exit code; the only place exit codes are decided. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const output = new Output({ json, debug });
  try {
    return await withExitStatus(() => buildProgram().parseAsync([...argv], { from: 'user' }));
  } catch (error) {
    return reportFailure(error, output, debug);
  }
}

function isCommanderError(value: unknown): value is CommanderError {
  try {
    return value instanceof CommanderError;
  } catch {
    return false;
  }
}

/**
 * Prints any thrown value as `error[EW_CODE]` and returns the exit code. It
 * must not throw itself: a project's code can throw anything, even a value
 * whose `toString` throws or a Proxy whose every trap throws.
 */
function reportFailure(error: unknown, output: Output, debug: boolean): number {
  if (isCommanderError(error)) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    // A command was missing: commander printed the help on stderr.
    if (error.code === 'commander.help') return EXIT.usage;
    output.error(new UsageError(error.message.replace(/^error: /, ''), 'Run `envward --help` for usage.'));
    return EXIT.usage;
  }
  if (isEnvwardError(error)) {
    try {
      output.error(error);
      return exitCodeFor(error);
    } catch (printing) {
      // An error whose details cannot be printed (a hostile value inside): report that instead.
      error = printing;
    }
  }
  const internal = new EnvwardError(
    'EW_INTERNAL',
    'problem',
    describeThrown(error),
    'This is a bug in envward; rerun with --debug and report the stack trace.',
  );
  try {
    if (debug && error instanceof Error && typeof error.stack === 'string') internal.stack = error.stack;
  } catch {
    // No stack to show for a value that cannot be read.
  }
  output.error(internal);
  return EXIT.problem;
}
