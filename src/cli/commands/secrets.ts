import { hostname } from 'node:os';
import type { Command } from 'commander';
import { openProject, type Project } from '../../config/index.js';
import { detectEnvironment, type Environment } from '../../environment/index.js';
import { UsageError } from '../../errors.js';
import {
  keygen,
  removeSecret,
  revealSecret,
  rotateKey,
  SecretKeyNameError,
  SecretNoPublicKeyError,
  secretPaths,
  setSecrets,
} from '../../secrets/index.js';
import { readSecrets } from '../../secrets/secrets-file.js';
import { settleBeforeReading } from '../../secrets/secrets-lock.js';
import { readPublicKey } from '../../secrets/vault.js';
import { auditAct } from '../audit-act.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { readSecretInput } from '../read-secret-input.js';

interface SecretsOptions extends CommonOptions {
  readonly print?: boolean;
  readonly reveal?: boolean;
}

// Managing secrets is not running as the environment: anyone with the public
// key may add a secret to production from a laptop, so no host check here.
async function target(options: CommonOptions): Promise<{ project: Project; environment: Environment }> {
  const project = await openProject(options.cwd);
  const { environment } = detectEnvironment({
    catalogue: project.environments,
    option: options.env,
    variables: process.env,
    projectRoot: project.root,
    hostname: hostname(),
  });
  return { project, environment };
}

function assertSecretKey(project: Project, environment: Environment, key: string): void {
  const leaf = project.schema.leaves.get(key);
  if (!leaf) {
    throw new SecretKeyNameError(
      key,
      environment.name,
      'the schema declares no such key',
      '`envward config show` lists the keys; declare it with secret(...) in envward.config.ts.',
    );
  }
  if (!leaf.secret) {
    throw new SecretKeyNameError(
      key,
      environment.name,
      'the key is not marked secret() in the schema, so envward would not mask it',
      `Wrap its schema with secret(...) in envward.config.ts, e.g. ${key.split('.').pop()}: secret(z.string()).`,
    );
  }
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
    const { project, environment } = await target(options);
    const result = await keygen(project.root, environment.name, { print: options.print === true });
    const paths = secretPaths(environment.name);
    if (result.privateKey && !output.json) {
      process.stderr.write(
        `${environment.name}'s private key follows, shown this once: store it as $${paths.variable} in your secret store.\n`,
      );
      process.stdout.write(`${result.privateKey}\n`);
      return;
    }
    output.result({ environment: environment.name, ...result }, () =>
      [
        `made ${environment.name}'s key pair`,
        `  public key   ${paths.publicKey} (commit it: anyone may then add a secret)`,
        `  private key  ${paths.privateKey} (mode 0600, git-ignored; or give it as $${paths.variable})`,
      ].join('\n'),
    );
  });

  withCommonOptions(
    secrets.command('set').description('encrypt a value (from stdin or a hidden prompt) for KEY').argument('<key>'),
  ).action(async (key: string, options: SecretsOptions) => {
    const output = outputFor(options);
    const { project, environment } = await target(options);
    assertSecretKey(project, environment, key);
    if (!readPublicKey(project.root, environment.name)) {
      throw new SecretNoPublicKeyError(environment.name, secretPaths(environment.name).publicKey);
    }
    const value = await readSecretInput(`value for ${key} (${environment.name}): `);
    const result = await setSecrets(project.root, environment, new Map([[key, value]]));
    for (const warning of result.warnings) output.warn(warning);
    const changed = result.changed.length > 0;
    output.result({ environment: environment.name, key, changed }, () =>
      changed
        ? `set ${key} in ${environment.name} (${secretPaths(environment.name).secrets})`
        : `${key} in ${environment.name} already has this value; nothing written`,
    );
  });

  withCommonOptions(secrets.command('list').description('secret names and when each was set; never values')).action(
    async (options: SecretsOptions) => {
      const output = outputFor(options);
      const { project, environment } = await target(options);
      await settleBeforeReading(project.root, environment.name);
      const document = readSecrets(project.root, environment.name);
      const rows = [...(document?.secrets ?? new Map())].map(([key, record]) => ({
        key,
        updated: record.updated,
        changes: record.history.length,
        history: record.history,
      }));
      const stored = new Set(rows.map((row) => row.key));
      const missing = [...project.schema.leaves.values()]
        .filter((leaf) => leaf.secret && !stored.has(leaf.key))
        .map((leaf) => leaf.key);
      output.result(
        {
          environment: environment.name,
          publicKey: readPublicKey(project.root, environment.name) ?? null,
          secrets: rows,
          missing,
          retiredKeys: document?.retired ?? [],
        },
        () => {
          const lines = [`${environment.name}: ${rows.length} secret(s) in ${secretPaths(environment.name).secrets}`];
          const width = Math.max(0, ...rows.map((row) => row.key.length));
          for (const row of rows) {
            const changes = row.changes > 0 ? `, value changed ${row.changes} time(s) before` : '';
            lines.push(`  ${row.key.padEnd(width)}  set ${row.updated}${changes}`);
          }
          if (missing.length > 0) lines.push(`  not set: ${missing.join(', ')}`);
          return lines.join('\n');
        },
      );
    },
  );

  withCommonOptions(
    secrets
      .command('get')
      .description('decrypt and print one value (needs --reveal and the private key)')
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
    const { project, environment } = await target(options);
    const { value, warnings } = await revealSecret({ root: project.root, environment, key, variables: process.env });
    for (const warning of warnings) output.warn(warning);
    output.result({ environment: environment.name, key, value }, () => value);
  });

  withCommonOptions(secrets.command('rm').description('remove one secret').argument('<key>')).action(
    async (key: string, options: SecretsOptions) => {
      const output = outputFor(options);
      const { project, environment } = await target(options);
      if (!(await removeSecret(project.root, environment.name, key))) {
        throw new SecretKeyNameError(
          key,
          environment.name,
          `no such secret in ${secretPaths(environment.name).secrets}`,
          `\`envward secrets list --env ${environment.name}\` shows the stored names.`,
        );
      }
      output.result(
        { environment: environment.name, key, removed: true },
        () => `removed ${key} from ${environment.name}`,
      );
    },
  );

  withCommonOptions(
    secrets
      .command('rotate-key')
      .description('new key pair; every value re-encrypted and verified; all or nothing')
      .option('--print', 'print the new private key (needed when the key is given as a variable)'),
  ).action(async (options: SecretsOptions) => {
    const output = outputFor(options);
    const { project, environment } = await target(options);
    const paths = secretPaths(environment.name);
    const fromVariable = (process.env[paths.variable] ?? '').trim() !== '';
    if (fromVariable && !options.print) {
      throw new UsageError(
        `${environment.name}'s key comes from $${paths.variable}, so the new key cannot be written in its place.`,
        `Run with --print: the new key is printed and left in ${paths.newPrivateKey} (mode 0600) for your secret store; replace $${paths.variable} with it, then delete the file.`,
      );
    }
    const result = await rotateKey(project.root, environment, {
      beforeCommit: (privateKey) => {
        if (output.json) return;
        process.stderr.write(`new private key of ${environment.name}; replace $${paths.variable} with it:\n`);
        process.stdout.write(`${privateKey}\n`);
      },
    });
    for (const warning of result.warnings) output.warn(warning);
    // The old key in the variable no longer opens the secrets: the store is found with the new one.
    const variables = result.privateKey ? { ...process.env, [paths.variable]: result.privateKey } : process.env;
    await auditAct(
      { ...options, variables },
      environment.name,
      { action: 'secrets.rotate-key', target: `${result.retired} -> ${result.publicKey}`, outcome: 'done' },
      output,
    );
    const { privateKey, warnings: _warnings, ...shown } = result;
    output.result(
      { environment: environment.name, ...shown, ...(output.json && privateKey ? { privateKey } : {}) },
      () =>
        [
          `rotated ${environment.name}'s key pair: ${result.secrets} secret(s) re-encrypted and verified`,
          `  new public key ${paths.publicKey}; the old one is retired in ${paths.secrets}`,
          result.newKeyFile
            ? `  new private key printed above and in ${result.newKeyFile} (mode 0600): replace $${paths.variable} with it in your secret store, then delete the file`
            : `  new private key ${paths.privateKey}`,
        ].join('\n'),
    );
  });
}
