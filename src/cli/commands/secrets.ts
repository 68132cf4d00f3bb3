import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { proposeChange } from '../../runtime/index.js';
import {
  type EnvironmentTarget,
  keygen,
  listSecrets,
  removeSecret,
  revealSecret,
  rotateKey,
  secretPaths,
  setSecret,
} from '../../secrets/index.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { readSecretInput } from '../read-secret-input.js';
import { actOrPropose } from './requests.js';

interface SecretsOptions extends CommonOptions {
  readonly print?: boolean;
  readonly reveal?: boolean;
}

/** The library's target for --cwd and --env. */
function target(options: CommonOptions): EnvironmentTarget {
  return {
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  };
}

export function registerSecretsCommands(program: Command): void {
  const secrets = program
    .command('secrets')
    .description("manage each environment's encrypted secrets (values are read from stdin, never from arguments)");

  withCommonOptions(
    secrets
      .command('keygen')
      .description("make the environment's key pair: public key committed, private key in .envward/keys/")
      .option('--print', 'print the private key once for a secret store instead of writing the key file'),
  ).action(async (options: SecretsOptions) => {
    const output = outputFor(options);
    const result = await keygen({ ...target(options), print: options.print === true });
    const { environment } = result;
    const paths = secretPaths(environment);
    if (result.privateKey && !output.json) {
      process.stderr.write(
        `${environment}'s private key follows, shown this once: store it as $${paths.variable} in your secret store.\n`,
      );
      process.stdout.write(`${result.privateKey}\n`);
      return;
    }
    output.result(result, () =>
      [
        `made ${environment}'s key pair`,
        `  public key   ${paths.publicKey} (commit it: anyone may then add a secret)`,
        `  private key  ${paths.privateKey} (mode 0600, git-ignored; or give it as $${paths.variable})`,
      ].join('\n'),
    );
  });

  withCommonOptions(
    secrets.command('set').description('encrypt a value (from stdin or a hidden prompt) for KEY').argument('<key>'),
  ).action(async (key: string, options: SecretsOptions) => {
    const output = outputFor(options);
    const ask = (environment: string) => readSecretInput(`value for ${key} (${environment}): `);
    // In an environment whose policy covers secrets, the value is sealed into a change request instead.
    const result = await actOrPropose(
      output,
      () => setSecret({ ...target(options), key, value: ask }),
      async (env) => {
        // Checked before the value is asked for: a request needs a reason.
        if (!options.reason?.trim()) {
          throw new UsageError(`${env} needs approvals for secrets: the request needs --reason "why".`);
        }
        return proposeChange({
          ...target(options),
          env,
          change: { kind: 'secret.set', key, value: await ask(env) },
          reason: options.reason,
        });
      },
    );
    if (!result) return;
    for (const warning of result.warnings) output.warn(warning);
    const { environment, changed } = result;
    output.result({ environment, key, changed }, () =>
      changed
        ? `set ${key} in ${environment} (${secretPaths(environment).secrets})`
        : `${key} in ${environment} already has this value; nothing written`,
    );
  });

  withCommonOptions(secrets.command('list').description('secret names and when each was set; never values')).action(
    async (options: SecretsOptions) => {
      const output = outputFor(options);
      const listing = await listSecrets(target(options));
      const { environment, secrets: rows, missing } = listing;
      output.result(listing, () => {
        const lines = [`${environment}: ${rows.length} secret(s) in ${secretPaths(environment).secrets}`];
        const width = Math.max(0, ...rows.map((row) => row.key.length));
        for (const row of rows) {
          const changes = row.changes > 0 ? `, value changed ${row.changes} time(s) before` : '';
          lines.push(`  ${row.key.padEnd(width)}  set ${row.updated}${changes}`);
        }
        if (missing.length > 0) lines.push(`  not set: ${missing.join(', ')}`);
        return lines.join('\n');
      });
    },
  );

  withCommonOptions(
    secrets
      .command('get')
      .description('decrypt and print one value (needs --reveal and the private key; --reason is audited)')
      .argument('<key>')
      .option('--reveal', 'print the value itself'),
  ).action(async (key: string, options: SecretsOptions) => {
    const output = outputFor(options);
    if (!options.reveal) {
      throw new UsageError(
        `secrets get prints a value only when asked: add --reveal (${key} stays masked otherwise).`,
        '`envward secrets list` shows names and dates without any key.',
      );
    }
    const reason = options.reason?.trim();
    const { environment, value, warnings } = await revealSecret({
      ...target(options),
      key,
      ...(reason ? { reason } : {}),
    });
    for (const warning of warnings) output.warn(warning);
    output.result({ environment, key, value }, () => value);
  });

  withCommonOptions(secrets.command('rm').description('remove one secret').argument('<key>')).action(
    async (key: string, options: SecretsOptions) => {
      const output = outputFor(options);
      const { environment } = await removeSecret({ ...target(options), key });
      output.result({ environment, key, removed: true }, () => `removed ${key} from ${environment}`);
    },
  );

  withCommonOptions(
    secrets
      .command('rotate-key')
      .description('new key pair; every value re-encrypted and verified; all or nothing')
      .option('--print', 'print the new private key (needed when the key is given as a variable)'),
  ).action(async (options: SecretsOptions) => {
    const output = outputFor(options);
    const result = await rotateKey({
      ...target(options),
      print: options.print === true,
      beforeCommit: (privateKey, environment) => {
        if (output.json) return;
        process.stderr.write(
          `new private key of ${environment}; replace $${secretPaths(environment).variable} with it:\n`,
        );
        process.stdout.write(`${privateKey}\n`);
      },
    });
    for (const warning of result.warnings) output.warn(warning);
    const { environment, privateKey, warnings: _warnings, audited: _audited, ...shown } = result;
    const paths = secretPaths(environment);
    output.result({ environment, ...shown, ...(output.json && privateKey ? { privateKey } : {}) }, () =>
      [
        `rotated ${environment}'s key pair: ${result.secrets} secret(s) re-encrypted and verified`,
        `  new public key ${paths.publicKey}; the old one is retired in ${paths.secrets}`,
        result.newKeyFile
          ? `  new private key printed above and in ${result.newKeyFile} (mode 0600): replace $${paths.variable} with it in your secret store, then delete the file`
          : `  new private key ${paths.privateKey}`,
      ].join('\n'),
    );
  });
}
