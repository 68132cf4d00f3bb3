/**
 * The jobs page: the environment's declared jobs (`envward jobs list`) and
 * its recent runs (`jobs history`); operators run a runnable job now, with
 * a reason, through the library's runJob: its gate applies (a job not
 * allowed or disabled here is refused with EW_JOB_GATED, shown as a
 * flash; the console never forces it), and the run is recorded and
 * audited as `console:<name>`.
 */
import type { FastifyInstance } from 'fastify';
import type { Environment } from '../../environment/index.js';
import { jobHistory, type ListedJob, listJobs, runJob } from '../../jobs/index.js';
import { checkedReason, field, reasonFields, requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import { allows } from '../roles.js';
import { type ConsoleSite, targetFor } from '../site.js';
import { actThenRedirect, envParam, pagePath, readOr } from './ops-support.js';

const HISTORY_LIMIT = 50;

export function registerJobsPages(app: FastifyInstance, site: ConsoleSite): void {
  app.get('/env/:env/jobs', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'read');
    const path = pagePath(site, environment, 'jobs');
    const target = targetFor(site, environment.name, user);
    const read = await readOr(async () => ({
      list: await listJobs(target),
      history: await jobHistory({ ...target, limit: HISTORY_LIMIT }),
    }));
    const csrf = csrfToken(reply);
    let body: Html;
    if ('problem' in read) body = read.problem;
    else {
      const { list, history } = read.value;
      const operator = allows(user.grants, environment.name, 'runJob');
      const jobs = list.jobs.map((job) => jobRow(job, operator));
      const runs = history.runs.map(
        (run) =>
          html`<tr data-run="${run.slot}"><td><code>${run.job}</code></td><td>${run.startedAt}</td><td>${run.trigger}</td><td class="${run.outcome === 'succeeded' ? 'ok' : run.outcome === 'failed' ? 'bad' : ''}">${run.outcome}</td><td>${run.durationMs === null ? '' : `${run.durationMs} ms`}</td><td>${run.actor}</td><td>${run.reason}</td><td class="value">${run.error ?? ''}</td></tr>`,
      );
      body = html`<p>Tier ${list.tier}; ${
        list.revision === null
          ? 'runtime revisions not applied (no private key here)'
          : `runtime revision ${list.revision}`
      }.</p>
<h2>Declared jobs</h2>
${
  jobs.length > 0
    ? html`<table><thead><tr><th>Job</th><th>Schedule</th><th>Runs in</th><th>State</th>${operator ? html`<th></th>` : ''}</tr></thead><tbody>${jobs}</tbody></table>`
    : html`<p class="muted">No jobs declared (defineJobs in envward.config.ts).</p>`
}
${operator && list.jobs.some((job) => job.runnable) ? runForm(environment, path, csrf, list.jobs) : ''}
<h2>Recent runs</h2>
${
  runs.length > 0
    ? html`<table><thead><tr><th>Job</th><th>Started</th><th>Trigger</th><th>Outcome</th><th>Took</th><th>By</th><th>Reason</th><th>Error</th></tr></thead><tbody>${runs}</tbody></table>`
    : html`<p class="muted">No runs recorded.</p>`
}`;
    }
    return sendPage(
      reply,
      page({ site, user, environment, title: 'Jobs', body, csrf, flash: takeFlash(request, reply, path) }),
    );
  });

  app.post('/env/:env/jobs/run', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'runJob');
    const reason = checkedReason(environment, request.body);
    const job = field(request.body, 'job') ?? '';
    const path = pagePath(site, environment, 'jobs');
    return actThenRedirect(reply, path, async () => {
      const result = await runJob({
        ...targetFor(site, environment.name, user),
        job,
        ...(reason ? { reason } : {}),
      });
      return { kind: 'ok', text: `${result.job} succeeded in ${result.durationMs} ms (recorded and audited).` };
    });
  });
}

function jobRow(job: ListedJob, operator: boolean): Html {
  const state = !job.allowed
    ? html`<span class="muted">not allowed here</span>`
    : !job.enabled
      ? html`<span class="warn">disabled</span>`
      : `next ${job.nextRun ?? 'never'}`;
  const where = [...job.environments, ...job.tiers.map((tier) => `tier ${tier}`)].join(', ');
  return html`<tr data-job="${job.job}"><td><code>${job.job}</code></td><td>${job.schedule} (${job.timezone})</td><td>${where}</td><td>${state}</td>${
    operator ? html`<td>${job.runnable ? '' : html`<span class="muted">no run module</span>`}</td>` : ''
  }</tr>`;
}

function runForm(environment: Environment, path: string, csrf: string, jobs: readonly ListedJob[]): Html {
  const runnable = jobs.filter((job) => job.runnable);
  return html`<form class="act" method="post" action="${path}/run" data-form="run-job">${csrfField(csrf)}
<h2>Run a job now</h2>
<label for="job">Job</label>
<select id="job" name="job">${runnable.map((job) => html`<option value="${job.job}">${job.job}${job.allowed && job.enabled ? '' : ' (gated here)'}</option>`)}</select>
${reasonFields(environment)}
<p><button type="submit">Run now</button></p></form>`;
}
