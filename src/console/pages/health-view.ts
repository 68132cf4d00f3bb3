/**
 * An environment's health as the overview card shows it: the store
 * (reachable, stamped for this environment), pending migrations and the
 * configuration's issues, each ok / warn / bad with the reason in words,
 * then the preflight's outcome with every check, and the latest runtime
 * revision. Everything here comes from the preflight report and the
 * revision row: codes, messages, counts and names, never a value.
 */
import type { PreflightCheck, PreflightReport } from '../../preflight/index.js';
import { type Html, html } from '../html.js';
import type { EnvironmentHealth, RevisionFact } from './environment-health.js';
import { valueText } from './value-text.js';

export type Level = 'ok' | 'warn' | 'bad';

export interface HealthLine {
  readonly label: string;
  readonly level: Level;
  readonly text: string;
}

const findingsText = (check: PreflightCheck) =>
  check.findings
    .map((finding) => `${finding.key ? `${finding.key}: ` : ''}${finding.code}: ${finding.message}`)
    .join('; ');

/** Reachable and stamped, from the preflight's database check. */
function storeLines(check: PreflightCheck | undefined, protectedTier: boolean): HealthLine[] {
  if (!check) return [];
  if (check.status === 'skipped') {
    return [{ label: 'Store', level: 'warn', text: check.summary }];
  }
  // The check's summary starts this way only when the database could not be opened at all.
  if (check.summary.startsWith('the database cannot be opened')) {
    // A database not made yet is made on first use, except in a protected environment (stamped by hand first).
    const missing = check.findings.some((finding) => finding.code === 'EW_DB_MISSING');
    return [
      { label: 'Store', level: missing && !protectedTier ? 'warn' : 'bad', text: findingsText(check) || check.summary },
      { label: 'Stamp', level: 'warn', text: 'not checked: the store was not opened' },
    ];
  }
  const reachable: HealthLine = {
    label: 'Store',
    level: 'ok',
    text: check.summary.replace(/ and stamped for .*$/, ''),
  };
  if (check.status !== 'pass') return [reachable, { label: 'Stamp', level: 'bad', text: findingsText(check) }];
  const stamped = / and stamped for /.test(check.summary);
  return [
    reachable,
    stamped && check.notes.length === 0
      ? { label: 'Stamp', level: 'ok', text: check.summary.replace(/^.* and stamped/, 'stamped') }
      : { label: 'Stamp', level: 'warn', text: check.notes.join('; ') || 'not stamped' },
  ];
}

/** Pending migrations, from the preflight's migrations check; nothing when the project has none. */
function migrationLines(check: PreflightCheck | undefined): HealthLine[] {
  if (!check) return [];
  if (check.status === 'skipped') return [{ label: 'Migrations', level: 'warn', text: check.summary }];
  if (check.status !== 'pass') {
    return [{ label: 'Migrations', level: 'bad', text: `${check.summary}; ${findingsText(check)}` }];
  }
  if (check.summary === '0 applied, 0 pending') return [];
  const pending = check.notes.filter((note) => note.startsWith('pending:')).length;
  return [{ label: 'Migrations', level: pending > 0 ? 'warn' : 'ok', text: check.summary }];
}

function configLines(check: PreflightCheck | undefined): HealthLine[] {
  if (!check) return [];
  if (check.status === 'pass') return [{ label: 'Config', level: 'ok', text: check.summary }];
  const count = check.findings.length;
  return [{ label: 'Config', level: 'bad', text: `${count} issue${count === 1 ? '' : 's'}: ${findingsText(check)}` }];
}

/** The health lines of a preflight report (store, stamp, migrations, config). */
export function healthLines(report: PreflightReport, protectedTier: boolean): HealthLine[] {
  const named = (name: PreflightCheck['name']) => report.checks.find((check) => check.name === name);
  return [
    ...storeLines(named('database'), protectedTier),
    ...migrationLines(named('migrations')),
    ...configLines(named('config')),
  ];
}

const STATUS_LEVEL: Readonly<Record<PreflightCheck['status'], Level>> = {
  pass: 'ok',
  skipped: 'warn',
  fail: 'bad',
  refused: 'bad',
};

const OUTCOME_LEVEL: Readonly<Record<PreflightReport['outcome'], Level>> = {
  clear: 'ok',
  findings: 'bad',
  refused: 'bad',
};

function lineHtml(line: HealthLine): Html {
  return html`<li data-health="${line.label.toLowerCase()}" data-level="${line.level}"><span class="${line.level}">${line.level}</span> ${line.label}: ${valueText(line.text)}</li>`;
}

function preflightHtml(report: PreflightReport): Html {
  const failing = report.checks.filter((check) => check.status !== 'pass').map((check) => check.name);
  return html`<details data-preflight="${report.outcome}"><summary>Preflight: <span class="${OUTCOME_LEVEL[report.outcome]}">${report.outcome}</span>${
    failing.length > 0 ? ` (${failing.join(', ')})` : ''
  }</summary><ul class="plain">${report.checks.map(
    (check) =>
      html`<li data-check="${check.name}"><span class="${STATUS_LEVEL[check.status]}">${check.status}</span> ${check.name}: ${valueText(check.summary)}${
        check.findings.length > 0
          ? html`<ul>${check.findings.map((finding) => html`<li><code>${finding.code}</code> ${valueText(finding.message)}</li>`)}</ul>`
          : ''
      }</li>`,
  )}</ul></details>`;
}

function revisionHtml(revision: RevisionFact, link: string): Html {
  switch (revision.kind) {
    case 'revision':
      return html`<p data-revision="${revision.number}">Config revision <a href="${link}">${revision.number}</a>, <time datetime="${revision.at}">${revision.at}</time> by ${revision.actor}</p>`;
    case 'none':
      return html`<p data-revision="0">Config revision 0 <span class="muted">(no runtime revision)</span></p>`;
    case 'unread':
      return html`<p data-revision="unread"><span class="warn">Config revision not read</span>: ${valueText(revision.why)}</p>`;
  }
}

/** The health part of a card the user may read; `revisionsLink` is the environment's revisions page. */
export function healthHtml(health: EnvironmentHealth, protectedTier: boolean, revisionsLink: string): Html {
  if (health.kind === 'timedOut') {
    return html`<p data-health="unreachable"><span class="bad">unreachable</span>: no answer within ${health.afterMs / 1000} s (the store or a file could not be read in time)</p>`;
  }
  const { preflight } = health;
  const checks =
    'error' in preflight
      ? html`<p data-health="error"><span class="bad">bad</span> Preflight could not run: ${valueText(preflight.error)}</p>`
      : html`<ul class="plain health">${healthLines(preflight, protectedTier).map(lineHtml)}</ul>${preflightHtml(preflight)}`;
  return html`${checks}${revisionHtml(health.revision, revisionsLink)}`;
}
