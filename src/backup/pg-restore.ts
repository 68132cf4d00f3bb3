import { spawn } from 'node:child_process';
import { failpoint } from '../failpoint.js';
import { pgClientEnvironment } from '../store/connect.js';
import { PgClientMissingError } from '../store/store-errors.js';
import { RestoreFailedError } from './backup-errors.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Drops every object of the schema that is not an extension's (relations,
 * routines, types), keeping the schema itself with its owner and grants:
 * what the backup does not hold (a table of a newer migration) must not
 * survive beside the restored data. The name is checked against
 * SCHEMA_NAME before it is put in the text.
 */
function emptySchemaSql(schema: string): string {
  const s = `'${schema}'`;
  const notExtension = (oid: string) =>
    `not exists (select 1 from pg_depend d where d.objid = ${oid} and d.deptype = 'e')`;
  return `do $envward$
declare r record;
begin
  for r in select c.oid::regclass::text as name, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${s} and c.relkind in ('r', 'p', 'v', 'm', 'f') and ${notExtension('c.oid')} loop
    execute format('drop %s if exists %s cascade',
      case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end, r.name);
  end loop;
  for r in select c.oid::regclass::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${s} and c.relkind = 'S' and ${notExtension('c.oid')} loop
    execute format('drop sequence if exists %s cascade', r.name);
  end loop;
  for r in select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = ${s} and ${notExtension('p.oid')} loop
    execute format('drop routine if exists %s cascade', r.name);
  end loop;
  for r in select t.oid::regtype::text as name from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = ${s} and ${notExtension('t.oid')}
        and (t.typtype in ('e', 'd', 'r') or (t.typtype = 'c' and exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind = 'c'))) loop
    execute format('drop type if exists %s cascade', r.name);
  end loop;
end $envward$;
`;
}

function firstLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .find((line) => line.startsWith('ERROR') || line.includes('error')) ??
    text.trim().split('\n')[0] ??
    ''
  );
}

/**
 * Restores a pg_dump custom-format archive into `schema` of the database at
 * `url`, all or nothing: pg_restore turns the archive's objects of that
 * schema into SQL, which psql runs in one transaction after the schema is
 * emptied. COMMIT is sent only once pg_restore has finished cleanly, so a
 * failure or a kill anywhere (psql's input ends without it) rolls it all
 * back. The URL goes in the environment, never in the argument list.
 * Failpoint `restore:loaded`: everything sent, just before COMMIT.
 */
export async function restorePostgresDump(
  url: string,
  schema: string,
  file: string,
  environment: string,
  serverMajor: () => Promise<number | undefined>,
): Promise<void> {
  if (!SCHEMA_NAME.test(schema))
    throw new RestoreFailedError(environment, `schema "${schema}" is not a plain lower-case name`);
  const env = pgClientEnvironment(url);
  const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const dump = spawn('pg_restore', ['--no-owner', `--schema=${schema}`, '--file=-', file], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let psqlErrors = '';
  let dumpErrors = '';
  psql.stderr.on('data', (chunk: Buffer) => {
    if (psqlErrors.length < 4096) psqlErrors += chunk.toString('utf8');
  });
  dump.stderr.on('data', (chunk: Buffer) => {
    if (dumpErrors.length < 4096) dumpErrors += chunk.toString('utf8');
  });
  // psql dying early closes its stdin: writes then fail, and its exit says why.
  psql.stdin.on('error', () => {});
  const exited = (child: ReturnType<typeof spawn>, program: string) =>
    new Promise<number>((resolve, reject) => {
      child.on('error', async (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') reject(new PgClientMissingError(program, await serverMajor()));
        else
          reject(
            new RestoreFailedError(environment, `${program} could not be started (${error.code ?? error.message})`),
          );
      });
      child.on('close', (code) => resolve(code ?? -1));
    });
  const psqlDone = exited(psql, 'psql');
  const dumpDone = exited(dump, 'pg_restore');
  // Whichever fails to start, stop the other: nothing is committed without both.
  psqlDone.then(
    () => dump.exitCode === null && dump.kill(),
    () => dump.kill(),
  );
  dumpDone.catch(() => psql.stdin.end());
  psql.stdin.write(`begin;\n${emptySchemaSql(schema)}`);
  dump.stdout.pipe(psql.stdin, { end: false });
  let dumpCode: number;
  try {
    dumpCode = await dumpDone;
  } catch (error) {
    await psqlDone.catch(() => undefined);
    throw error;
  }
  if (psql.exitCode !== null && psql.exitCode !== 0) {
    throw new RestoreFailedError(environment, `psql failed (${firstLine(psqlErrors) || `exit ${psql.exitCode}`})`);
  }
  if (dumpCode !== 0) {
    // No COMMIT: psql's input ends inside the transaction, and the server rolls it back.
    psql.stdin.end();
    await psqlDone.catch(() => undefined);
    throw new RestoreFailedError(environment, `pg_restore failed (${firstLine(dumpErrors) || `exit ${dumpCode}`})`);
  }
  failpoint('restore:loaded');
  psql.stdin.end('commit;\n');
  const psqlCode = await psqlDone;
  if (psqlCode !== 0) {
    throw new RestoreFailedError(environment, `psql failed (${firstLine(psqlErrors) || `exit ${psqlCode}`})`);
  }
}
