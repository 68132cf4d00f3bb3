import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ERROR_CODES,
  type ErrorCode,
  EXIT_CODE_BY_KIND,
  HTTP_REPLY_STATUS,
  ISSUE_CODES,
  RESOLUTION_WARNING_CODES,
  SCAN_CODES,
} from '../../src/error-registry.ts';
import { HTTP_REPLY_CODES } from '../../src/http/http-errors.ts';

const root = new URL('../../', import.meta.url).pathname;
const errorsDoc = readFileSync(join(root, 'docs/errors.md'), 'utf8');

/** Every `'EW_…'` literal in src/ (the registry itself aside). */
function codesInSource(): Set<string> {
  const codes = new Set<string>();
  for (const file of readdirSync(join(root, 'src'), { recursive: true }).map(String)) {
    if (!file.endsWith('.ts') || file === 'error-registry.ts') continue;
    const text = readFileSync(join(root, 'src', file), 'utf8');
    for (const match of text.matchAll(/'(EW_[A-Z_]*[A-Z])'/g)) codes.add(match[1] as string);
  }
  return codes;
}

/** The text of the `## title` section of docs/errors.md. */
function section(title: string): string {
  const start = errorsDoc.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `docs/errors.md has a "## ${title}" section`);
  const end = errorsDoc.indexOf('\n## ', start + 1);
  return errorsDoc.slice(start, end < 0 ? undefined : end);
}

/** `### EW_CODE` sections of "Error codes", with the kind and exit code each states. */
function documentedErrors(): Map<string, { kind?: string; exit?: number }> {
  const documented = new Map<string, { kind?: string; exit?: number }>();
  for (const match of section('Error codes').matchAll(/^### (\S+)\n+(.*)$/gm)) {
    const stated = /^Kind: `(\w+)` · exit code: `(\d)`$/.exec(match[2] as string);
    documented.set(match[1] as string, stated ? { kind: stated[1] as string, exit: Number(stated[2]) } : {});
  }
  return documented;
}

/** The codes in the first column of the tables of a section. */
function tabled(title: string): string[] {
  return [...section(title).matchAll(/^\|\s*`(EW_[A-Z_]+)`\s*\|/gm)].map((match) => match[1] as string);
}

const registered = Object.keys(ERROR_CODES) as ErrorCode[];

test('every error code of the registry has its section in docs/errors.md, with its kind and exit code', () => {
  const documented = documentedErrors();
  const wrong = registered.flatMap((code) => {
    const entry = ERROR_CODES[code];
    const stated = documented.get(code);
    if (!stated) return [`${code}: no "### ${code}" section`];
    if (stated.kind !== entry.kind || stated.exit !== entry.exit)
      return [
        `${code}: the section says kind ${stated.kind} exit ${stated.exit}, the registry ${entry.kind} exit ${entry.exit}`,
      ];
    return [];
  });
  assert.deepEqual(wrong, []);
});

test('docs/errors.md documents no error code the registry lacks', () => {
  const stale = [...documentedErrors().keys()].filter((code) => !Object.hasOwn(ERROR_CODES, code));
  assert.deepEqual(stale, []);
});

test("each registry line points at its code's section, with its kind's exit code", () => {
  for (const code of registered) {
    const entry = ERROR_CODES[code];
    assert.equal(entry.doc, `errors.md#${code.toLowerCase()}`, code);
    assert.equal(entry.exit, EXIT_CODE_BY_KIND[entry.kind], code);
  }
});

test('issue, scan, warning and HTTP reply codes: the docs tables and the registry agree both ways', () => {
  assert.deepEqual(tabled('Issue codes').sort(), [...ISSUE_CODES].sort());
  assert.deepEqual(tabled('Scan findings').sort(), [...SCAN_CODES].sort());
  assert.deepEqual(tabled('Resolution warnings').sort(), [...RESOLUTION_WARNING_CODES].sort());
  assert.deepEqual(tabled('HTTP reply codes').sort(), Object.keys(HTTP_REPLY_STATUS).sort());
  const statuses = [...section('HTTP reply codes').matchAll(/^\|\s*`(EW_[A-Z_]+)`\s*\|\s*(\S+)\s*\|/gm)];
  for (const [, code, status] of statuses) {
    assert.equal(status, HTTP_REPLY_STATUS[code as keyof typeof HTTP_REPLY_STATUS], code);
  }
  // The plugin names its codes itself; they are the registry's.
  assert.deepEqual(Object.values(HTTP_REPLY_CODES).sort(), Object.keys(HTTP_REPLY_STATUS).sort());
});

test('every EW_ code used in the source is registered', () => {
  const known = new Set<string>([
    ...registered,
    ...ISSUE_CODES,
    ...SCAN_CODES,
    ...RESOLUTION_WARNING_CODES,
    ...Object.keys(HTTP_REPLY_STATUS),
  ]);
  const unregistered = [...codesInSource()].filter((code) => !known.has(code));
  assert.deepEqual(unregistered, []);
});

test('no code is registered twice across the tables', () => {
  const all = [
    ...registered,
    ...ISSUE_CODES,
    ...SCAN_CODES,
    ...RESOLUTION_WARNING_CODES,
    ...Object.keys(HTTP_REPLY_STATUS),
  ];
  assert.deepEqual(
    all.filter((code, index) => all.indexOf(code) !== index),
    [],
  );
});
