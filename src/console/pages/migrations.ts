/**
 * The migrations page: status (applied with who and when and whether the
 * file still matches its checksum, pending) and the plan of what is
 * pending with each destructive statement flagged, as `envward migrate
 * status|plan` print them. Admins run the pending migrations; when the
 * plan is destructive in a protected environment, the run needs the
 * approval with a reason, which the library audits (migrate.allow-destructive).
 */
import type { FastifyInstance } from 'fastify';
import type { Environment } from '../../environment/index.js';
import { migrationPlan, migrationStatus, type PlannedMigration } from '../../migrate/index.js';
import { migrateUpWithApproval } from '../../requests/migration-approval.js';
import { checkedReason, field, reasonFields, requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import { allows } from '../roles.js';
import type { ConsoleSite } from '../site.js';
import { actThenRedirect, envParam, pagePath, readOr, withStore } from './ops-support.js';
import { policyNeeds, policyNote, proposeThenRedirect } from './request-policy.js';

/** How long a run from the console waits for another migrator before giving up. */
const WAIT_MS = 10_000;

export function registerMigrationsPages(app: FastifyInstance, site: ConsoleSite): void {
  app.get('/env/:env/migrations', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'read');
    const path = pagePath(site, environment, 'migrations');
    const read = await readOr(() =>
      withStore(site, environment, user, 'read', async (store) => ({
        status: await migrationStatus(store),
        plans: await migrationPlan(store),
      })),
    );
    const csrf = csrfToken(reply);
    let body: Html;
    if ('problem' in read) body = read.problem;
    else {
      const { status, plans } = read.value;
      const applied = status.applied.map((record) => {
        const state = status.changed.includes(record.name)
          ? html`<span class="bad">changed since applied (EW_MIGRATION_CHECKSUM)</span>`
          : status.missing.includes(record.name)
            ? html`<span class="bad">missing from disk (EW_MIGRATION_CHECKSUM)</span>`
            : html`<span class="ok">matches</span>`;
        return html`<tr data-applied="${record.name}"><td><code>${record.name}</code></td><td>${record.applied_at}</td><td>${record.actor}@${record.host}</td><td><code>${record.checksum.slice(0, 16)}</code> ${state}</td></tr>`;
      });
      const destructive = plans.some((plan) => plan.destructive);
      body = html`<h2>Applied</h2>
${
  applied.length > 0
    ? html`<table><thead><tr><th>Migration</th><th>Applied</th><th>By</th><th>Checksum</th></tr></thead><tbody>${applied}</tbody></table>`
    : html`<p class="muted">None applied.</p>`
}
<h2>Pending</h2>
${plans.length > 0 ? plans.map(planSection) : html`<p class="muted">Nothing pending.</p>`}
${allows(user.grants, environment.name, 'migrate') && plans.length > 0 ? runForm(environment, path, csrf, destructive) : ''}`;
    }
    return sendPage(
      reply,
      page({ site, user, environment, title: 'Migrations', body, csrf, flash: takeFlash(request, reply, path) }),
    );
  });

  app.post('/env/:env/migrations/up', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'migrate');
    const reason = checkedReason(environment, request.body);
    const approve = field(request.body, 'approve') === 'destructive';
    const path = pagePath(site, environment, 'migrations');
    if (approve && policyNeeds(environment, 'migrations') > 0) {
      // The policy's way to approve: a migrate.destructive request; once applied, "Run" below uses it.
      return proposeThenRedirect(site, environment, user, reply, path, { kind: 'migrate.destructive' }, reason);
    }
    return actThenRedirect(reply, path, async () => {
      if (approve && !reason) return { kind: 'error', text: 'Approving destructive statements needs a reason.' };
      const result = await withStore(site, environment, user, 'write', (store) =>
        // Where the policy covers migrations, a destructive plan runs only under an approved request.
        migrateUpWithApproval(store, {
          ...(reason ? { reason } : {}),
          ...(approve && reason ? { allowDestructive: { reason } } : {}),
          waitMs: WAIT_MS,
        }),
      );
      if (result.applied.length === 0) return { kind: 'ok', text: 'Nothing to migrate.' };
      const backup = result.backup ? ` Backup first: ${result.backup}.` : '';
      return { kind: 'ok', text: `Applied ${result.applied.length}: ${result.applied.join(', ')}.${backup}` };
    });
  });
}

function planSection(plan: PlannedMigration): Html {
  const rows = plan.statements.map(
    (statement) =>
      html`<tr${statement.destructive ? html` class="destructive" data-destructive` : ''}><td>${
        statement.destructive ? html`<span class="bad">destructive</span>` : html`<span class="muted">safe</span>`
      }</td><td class="value">${statement.sql}</td><td>${statement.why ?? ''}</td></tr>`,
  );
  return html`<section data-pending="${plan.name}"><h3><code>${plan.name}</code>${plan.destructive ? html` <span class="bad">DESTRUCTIVE</span>` : ''}</h3>
<table><thead><tr><th></th><th>Statement</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function runForm(environment: Environment, path: string, csrf: string, destructive: boolean): Html {
  if (destructive && policyNeeds(environment, 'migrations') > 0) return policyForms(environment, path, csrf);
  const approval = destructive && environment.protected;
  return html`<form class="act" method="post" action="${path}/up" data-form="migrate-up">${csrfField(csrf)}
<h2>${approval ? 'Approve destructive statements and run' : 'Run pending migrations'}</h2>
${
  approval
    ? html`<p class="bad">The plan drops or rewrites data in ${environment.name}. Running it approves every statement flagged above, with your reason, in the audit log; a backup is taken first.</p>
<input type="hidden" name="approve" value="destructive">`
    : environment.protected
      ? html`<p>A backup of ${environment.name} is taken first.</p>`
      : ''
}
${reasonFields(environment)}
<p><button${approval ? html` class="danger"` : ''} type="submit">${approval ? 'Approve and run' : 'Run migrations'}</button></p></form>`;
}

/** Under an approvals policy: propose the destructive plan as a request; run once a request for this plan is applied. */
function policyForms(environment: Environment, path: string, csrf: string): Html {
  return html`${policyNote(environment, 'migrations')}
<form class="act" method="post" action="${path}/up" data-form="propose-destructive">${csrfField(csrf)}
<h2>Request approval of the destructive statements</h2>
<p class="bad">The plan drops or rewrites data in ${environment.name}. This creates a change request naming the pending migrations; others approve it.</p>
<input type="hidden" name="approve" value="destructive">
${reasonFields(environment, 'propose-')}
<p><button class="danger" type="submit">Request approval</button></p></form>
<form class="act" method="post" action="${path}/up" data-form="migrate-up">${csrfField(csrf)}
<h2>Run under an approved request</h2>
<p>Runs the plan when a request for exactly this plan was approved (used once; a backup is taken first in a protected environment).</p>
${reasonFields(environment, 'run-')}
<p><button type="submit">Run migrations</button></p></form>`;
}
