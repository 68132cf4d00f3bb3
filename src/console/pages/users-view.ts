/**
 * The users page's markup: a table of users with a role select per
 * environment (only where the viewer is admin; elsewhere the role as text),
 * a save and a remove form per row, and the form adding a user. Selects
 * belong to their row's form through the `form` attribute, so a row is one
 * form without nesting forms in a table.
 */
import type { Environment } from '../../environment/index.js';
import { roleField } from '../grant-changes.js';
import { type Html, html } from '../html.js';
import { csrfField } from '../layout.js';
import { allows, type Grants, ROLES } from '../roles.js';
import { type ConsoleSite, url } from '../site.js';
import type { ConsoleUser } from '../user-records.js';

function roleSelect(environment: Environment, current: string | undefined, form: string, id?: string): Html {
  const options = ['', ...ROLES].map(
    (role) =>
      html`<option value="${role}"${role === (current ?? '') ? html` selected` : ''}>${role || 'none'}</option>`,
  );
  return html`<select${id ? html` id="${id}"` : ''} name="${roleField(environment.name)}" form="${form}" aria-label="role in ${environment.name}">${options}</select>`;
}

/** Reason (and production's typed confirmation) with ids unique to one form. */
function reasonInputs(home: Environment, form: string): Html {
  return html`<input name="reason" id="${form}-reason" type="text" maxlength="500" placeholder="reason"${
    home.protected ? html` required` : ''
  } aria-label="reason">${
    home.tier === 'production'
      ? html`<input name="confirm" id="${form}-confirm" type="text" autocomplete="off" placeholder="type ${home.name}" required aria-label="type ${home.name} to confirm">`
      : ''
  }`;
}

function userRow(site: ConsoleSite, actor: ConsoleUser, user: ConsoleUser, csrf: string): Html {
  const form = `roles-${user.name}`;
  const cells = site.environments.map((environment) => {
    const role = user.grants.get(environment.name);
    return allows(actor.grants, environment.name, 'users')
      ? html`<td>${roleSelect(environment, role, form)}</td>`
      : html`<td>${role ?? html`<span class="muted">none</span>`}</td>`;
  });
  const locked = user.lockedUntil && user.lockedUntil > new Date().toISOString();
  const path = `/users/${encodeURIComponent(user.name)}`;
  return html`<tr data-user="${user.name}"><th scope="row">${user.name}${
    user.hasPassword ? '' : html` <span class="muted">(OpenID Connect)</span>`
  }${locked ? html` <span class="warn">locked</span>` : ''}</th>${cells}
<td><form id="${form}" method="post" action="${url(site, `${path}/roles`)}">${csrfField(csrf)}${reasonInputs(site.home, form)}<button type="submit">Save roles</button></form>
${
  user.name === actor.name
    ? ''
    : html`<form method="post" action="${url(site, `${path}/remove`)}">${csrfField(csrf)}${reasonInputs(site.home, `remove-${user.name}`)}<button class="danger" type="submit">Remove</button></form>`
}</td></tr>`;
}

function addForm(site: ConsoleSite, actor: Grants, csrf: string): Html {
  const selects = site.environments
    .filter((environment) => allows(actor, environment.name, 'users'))
    .map(
      (environment) =>
        html`<label for="add-role-${environment.name}">Role in ${environment.name}</label>${roleSelect(environment, undefined, 'add-user', `add-role-${environment.name}`)}`,
    );
  return html`<h2>Add a user</h2>
<form class="act" id="add-user" method="post" action="${url(site, '/users/add')}">${csrfField(csrf)}
<label for="add-name">Name</label><input id="add-name" name="name" type="text" autocomplete="off" maxlength="64" required>
<label for="add-password">Password (12 or more characters${site.settings.oidc ? '; leave empty for an OpenID Connect only user' : ''})</label>
<input id="add-password" name="password" type="password" autocomplete="new-password" maxlength="1024"${site.settings.oidc ? '' : html` required`}>
${selects}
<label for="add-user-reason">Reason${site.home.protected ? ' (required)' : ''}</label>${reasonInputs(site.home, 'add-user')}
<p><button type="submit">Add user</button></p></form>`;
}

export function usersBody(site: ConsoleSite, actor: ConsoleUser, users: readonly ConsoleUser[], csrf: string): Html {
  const heads = site.environments.map((environment) => html`<th scope="col">${environment.name}</th>`);
  return html`<p class="muted">Users of this console, kept in ${site.home.name}'s store. You change roles only in environments where you are admin.</p>
<table class="users"><thead><tr><th scope="col">User</th>${heads}<th scope="col">Change</th></tr></thead>
<tbody>${users.map((user) => userRow(site, actor, user, csrf))}</tbody></table>
${addForm(site, actor.grants, csrf)}`;
}
