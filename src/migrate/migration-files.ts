import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationOrderError } from './migrate-errors.js';

/** One migration file: `migrations/007_add_limits.ts` or, for one environment, `migrations/staging/007_x.ts`. */
export interface MigrationFile {
  /** `007_add_limits` or `staging/007_seed_fixtures`: the name in history. */
  readonly name: string;
  readonly order: number;
  /** Relative to the project root, forward slashes. */
  readonly file: string;
  readonly path: string;
  /** `v1:` and the SHA-256 of the file's normalised text, recorded when applied (see fileChecksum). */
  readonly checksum: string;
}

/**
 * The checksum format: bump when what is hashed changes, and keep the old
 * format in CHECKSUMS, so histories recorded by an older envward still
 * verify (a format change must never look like an edited migration).
 */
export const CHECKSUM_VERSION = 'v1';

const CHECKSUMS: Readonly<Record<string, (bytes: Buffer) => string>> = {
  // v1: UTF-8 text without a byte-order mark, CRLF and CR read as LF, so a
  // checkout with other line endings (git autocrlf) is the same migration.
  v1: (bytes) =>
    createHash('sha256')
      .update(
        bytes
          .toString('utf8')
          .replace(/^\uFEFF/, '')
          .replace(/\r\n?/g, '\n'),
      )
      .digest('hex'),
};

/** `v1:<hex>`: the checksum of a migration or seed file's content in the current format. */
export function fileChecksum(bytes: Buffer): string {
  return `${CHECKSUM_VERSION}:${(CHECKSUMS[CHECKSUM_VERSION] as (bytes: Buffer) => string)(bytes)}`;
}

/** Whether `recorded` (of any known format) is the checksum of the file at `path` now. */
export function checksumMatches(recorded: string, file: Pick<MigrationFile, 'checksum' | 'path'>): boolean {
  if (recorded === file.checksum) return true;
  const [version, hex] = recorded.split(':');
  const format = version === undefined || version === CHECKSUM_VERSION ? undefined : CHECKSUMS[version];
  return format !== undefined && format(readFileSync(file.path)) === hex;
}

const FILE = /^(\d+)_([A-Za-z0-9_-]+)\.(ts|mts|js|mjs)$/;

function list(root: string, dir: string, prefix: string): MigrationFile[] {
  let names: string[];
  try {
    names = readdirSync(join(root, dir), { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
  const files: MigrationFile[] = [];
  const bad: string[] = [];
  for (const name of names) {
    if (name.endsWith('.d.ts') || name.startsWith('.')) continue;
    const match = FILE.exec(name);
    if (!match) {
      if (/\.(ts|mts|js|mjs)$/.test(name)) bad.push(`${dir}/${name}`);
      continue;
    }
    const path = join(root, dir, name);
    files.push({
      name: `${prefix}${name.replace(/\.(ts|mts|js|mjs)$/, '')}`,
      order: Number(match[1]),
      file: `${dir}/${name}`,
      path,
      checksum: fileChecksum(readFileSync(path)),
    });
  }
  if (bad.length > 0) throw new MigrationOrderError('file names are not NNN_name.ts', bad);
  return files;
}

/**
 * The migrations of `environment` in order: `<dir>/*` and `<dir>/<env>/*`,
 * merged by their order number. Two files with one number are refused
 * before anything runs (EW_MIGRATION_ORDER).
 */
export function migrationFiles(root: string, environment: string, dir = 'migrations'): MigrationFile[] {
  const files = [...list(root, dir, ''), ...list(root, `${dir}/${environment}`, `${environment}/`)];
  const byOrder = new Map<number, MigrationFile[]>();
  for (const file of files) byOrder.set(file.order, [...(byOrder.get(file.order) ?? []), file]);
  const clashes = [...byOrder.values()].filter((group) => group.length > 1).flat();
  if (clashes.length > 0)
    throw new MigrationOrderError(
      'two migrations share an order number',
      clashes.map((f) => f.file),
    );
  return files.sort((a, b) => a.order - b.order);
}
