/**
 * `/env/:env/flags`: each declared flag in the environment as `envward
 * flags list` shows it (value, targeting rule count, reason, source, the
 * production rule), read with `listFlags`. An operator sets a flag's value
 * with a reason: a runtime revision of `flags.<name>.value` (and
 * `flags.<name>.reason` when given) through `setConfig`, audited as
 * `console:<name>`. A flag declared `requires-reason` in a production-tier
 * environment takes the change's reason as its own when none is given.
 */
import type { FastifyInstance } from 'fastify';
import type { Environment } from '../../environment/index.js';
import { isEnvwardError } from '../../errors.js';
import { declaredFlags } from '../../flags/flag-table.js';
import { type FlagList, type ListedFlag, listFlags } from '../../flags/index.js';
import { setConfig } from '../../runtime/index.js';
import { checkedReason, field, reasonFields, requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import { allows } from '../roles.js';
import { ConsoleHttpError, type ConsoleSite, targetFor, url } from '../site.js';
import { policyNeeds, policyNote, proposeThenRedirect } from './request-policy.js';
import { reviseAndRedirect } from './revision-action.js';
import { valueText, warningsHtml } from './value-text.js';

/** A flag name as declarations allow it (it becomes part of a config key, so nothing else is taken). */
const FLAG_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function valueInput(flag: ListedFlag, id: string): Html {
  const choices = flag.type === 'boolean' ? ['true', 'false'] : flag.variants;
  if (choices) {
    return html`<select id="${id}" name="value">${choices.map((choice) => html`<option value="${choice}">${choice}</option>`)}</select>`;
  }
  return html`<input id="${id}" name="value" type="text" maxlength="10000" required>`;
}

function setForm(site: ConsoleSite, environment: Environment, flag: ListedFlag, csrf: string): Html {
  const id = `flag-${flag.name}-`;
  const action = url(site, `/env/${encodeURIComponent(environment.name)}/flags/${encodeURIComponent(flag.name)}`);
  return html`<details><summary>Set ${flag.name}</summary><form class="act" method="post" action="${action}">${csrfField(csrf)}
<label for="${id}value">Value (${flag.type}${flag.type === 'json' ? ', as JSON' : ''})</label>${valueInput(flag, `${id}value`)}
<label for="${id}flag-reason">Flag reason (why it is on; shown with the flag)</label><input id="${id}flag-reason" name="flagReason" type="text" maxlength="500">
${policyNote(environment, 'config')}${reasonFields(environment, id)}<p><button type="submit">Set ${flag.name}</button></p></form></details>`;
}

function flagRows(site: ConsoleSite, environment: Environment, list: FlagList, operator: boolean, csrf: string) {
  return list.flags.map((flag) => {
    const here = flag.environments[0];
    const issues = here?.issues ?? [];
    return html`<tr data-flag="${flag.name}"><th scope="row"><code>${flag.name}</code><br><span class="muted">${flag.type}${flag.description ? ` · ${flag.description}` : ''}</span></th>
<td class="value">${here ? valueText(here.value) : '(not read)'}<br><span class="muted">default ${valueText(flag.default)}</span></td>
<td>${here ? `${here.rules} rule(s)` : ''}</td><td>${here?.reason ?? html`<span class="muted">(none)</span>`}</td>
<td>${here ? html`${here.layer} <code>${here.source}</code>` : ''}</td><td>${flag.production}</td>
<td>${issues.length > 0 ? html`<ul class="plain bad">${issues.map((issue) => html`<li>${issue.message}</li>`)}</ul>` : ''}${
      operator && here ? setForm(site, environment, flag, csrf) : ''
    }</td></tr>`;
  });
}

async function flagsOf(site: ConsoleSite, environment: Environment): Promise<{ list?: FlagList; warnings: string[] }> {
  try {
    const list = await listFlags({ cwd: site.project.root, env: environment.name, variables: site.variables });
    return { list, warnings: list.notes.map((note) => note.message) };
  } catch (error) {
    if (!isEnvwardError(error)) throw error;
    return { warnings: [`${environment.name}'s flags could not be read (${error.code}: ${error.message})`] };
  }
}

export function registerFlagsPage(app: FastifyInstance, site: ConsoleSite): void {
  const pathOf = (environment: Environment) => `/env/${encodeURIComponent(environment.name)}/flags`;

  app.get<{ Params: { env: string } }>('/env/:env/flags', async (request, reply) => {
    const { user, environment } = requireAction(site, request, request.params.env, 'read');
    const { list, warnings } = await flagsOf(site, environment);
    const operator = allows(user.grants, environment.name, 'revise');
    const csrf = csrfToken(reply);
    const table =
      list && list.flags.length > 0
        ? html`<table class="flags"><thead><tr><th>Flag</th><th>Value</th><th>Targeting</th><th>Reason</th><th>Source</th><th>Production</th><th></th></tr></thead>
<tbody>${flagRows(site, environment, list, operator, csrf)}</tbody></table>`
        : html`<p class="muted">This project declares no flags (<code>flags({...})</code> in envward.config.ts).</p>`;
    return sendPage(
      reply,
      page({
        site,
        user,
        environment,
        title: 'Feature flags',
        body: html`${warningsHtml(warnings)}${table}`,
        csrf,
        flash: takeFlash(request, reply, url(site, pathOf(environment))),
      }),
    );
  });

  app.post<{ Params: { env: string; flag: string } }>('/env/:env/flags/:flag', async (request, reply) => {
    const { user, environment } = requireAction(site, request, request.params.env, 'revise');
    const reason = checkedReason(environment, request.body);
    const name = request.params.flag;
    if (!FLAG_NAME.test(name)) throw new ConsoleHttpError(404, 'No such flag.');
    const value = field(request.body, 'value');
    if (value === undefined) throw new ConsoleHttpError(400, 'Give the flag a value.');
    // The declarations, not a resolution: deciding which keys to write needs no environment read.
    const declared = declaredFlags(site.project)?.find((flag) => flag.name === name);
    if (!declared) throw new ConsoleHttpError(404, 'No such flag.');
    const given = field(request.body, 'flagReason')?.trim() ?? '';
    const inherits = given === '' && declared.production === 'requires-reason' && environment.tier === 'production';
    const flagReason = inherits ? reason : given || undefined;
    const set = {
      [`flags.${name}.value`]: value,
      ...(flagReason !== undefined ? { [`flags.${name}.reason`]: flagReason } : {}),
    };
    if (policyNeeds(environment, 'config') > 0) {
      const change = { kind: 'config.set', set } as const;
      return proposeThenRedirect(site, environment, user, reply, url(site, pathOf(environment)), change, reason);
    }
    return reviseAndRedirect(site, environment.name, reply, pathOf(environment), () =>
      setConfig({ ...targetFor(site, environment.name, user), set, ...(reason !== undefined ? { reason } : {}) }),
    );
  });
}
