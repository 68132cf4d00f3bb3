/**
 * The secrets page: names and dates as `envward secrets list` shows them
 * (values, ciphertext and fingerprints are never sent); for admins, set one
 * secret (a password field, never echoed back) and rotate the key pair.
 * Setting a secret is audited here, as `console:<name>`, since the library's
 * setSecret only writes the committed secrets file.
 */
import type { FastifyInstance } from 'fastify';
import { recordAct, unauditedReason } from '../../acts/record-act.js';
import { listSecrets, rotateKey, secretPaths, setSecret } from '../../secrets/index.js';
import { checkedReason, field, reasonFields, requireAction } from '../guards.js';
import { type Html, html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { csrfToken, sendPage, takeFlash } from '../reply-helpers.js';
import { allows } from '../roles.js';
import { actorOf, type ConsoleSite, targetFor } from '../site.js';
import { actThenRedirect, envParam, pagePath, readOr } from './ops-support.js';
import { policyNeeds, policyNote, proposeThenRedirect } from './request-policy.js';

export function registerSecretsPages(app: FastifyInstance, site: ConsoleSite): void {
  app.get('/env/:env/secrets', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'read');
    const path = pagePath(site, environment, 'secrets');
    const target = targetFor(site, environment.name, user);
    const listing = await readOr(() => listSecrets(target));
    const csrf = csrfToken(reply);
    let body: Html;
    if ('problem' in listing) body = listing.problem;
    else {
      const { secrets, missing, publicKey, retiredKeys } = listing.value;
      const rows = secrets.map(
        (row) =>
          html`<tr data-secret="${row.key}"><td><code>${row.key}</code></td><td>${row.updated}</td><td>${row.changes}</td><td class="muted">hidden</td></tr>`,
      );
      body = html`<p>${secrets.length} secret(s) in <code>${secretPaths(environment.name).secrets}</code>; ${
        publicKey
          ? html`key pair made${retiredKeys.length > 0 ? html`, ${retiredKeys.length} retired key(s)` : ''}`
          : html`<span class="warn">no key pair yet: <code>envward secrets keygen --env ${environment.name}</code></span>`
      }. Values are never shown here.</p>
<table><thead><tr><th>Key</th><th>Set</th><th>Earlier values</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table>
${missing.length > 0 ? html`<p class="warn">Not set: ${missing.map((key, index) => html`${index > 0 ? ', ' : ''}<code>${key}</code>`)}</p>` : ''}
${allows(user.grants, environment.name, 'secrets') ? adminForms(site, environment, path, csrf) : ''}`;
    }
    return sendPage(
      reply,
      page({ site, user, environment, title: 'Secrets', body, csrf, flash: takeFlash(request, reply, path) }),
    );
  });

  app.post('/env/:env/secrets/set', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'secrets');
    const reason = checkedReason(environment, request.body);
    const path = pagePath(site, environment, 'secrets');
    const key = field(request.body, 'key')?.trim() ?? '';
    const value = field(request.body, 'value') ?? '';
    if (policyNeeds(environment, 'secrets') > 0 && key !== '' && value !== '') {
      // Sealed at once by the library: the request holds only the ciphertext, its diff `(sealed)`.
      return proposeThenRedirect(site, environment, user, reply, path, { kind: 'secret.set', key, value }, reason);
    }
    return actThenRedirect(reply, path, async () => {
      if (key === '' || value === '') return { kind: 'error', text: 'Choose a key and give it a value.' };
      const target = targetFor(site, environment.name, user);
      const result = await setSecret({ ...target, key, value });
      if (!result.changed)
        return { kind: 'ok', text: `${key} in ${environment.name} already has this value; nothing written.` };
      const notes = [...result.warnings];
      try {
        const event = { action: 'secrets.set', target: key, ...(reason ? { reason } : {}), outcome: 'done' };
        await recordAct({ ...target, actor: actorOf(user) }, event, { unstamped: 'record' });
      } catch (error) {
        notes.push(`not audited: ${unauditedReason(error)}`);
      }
      return { kind: 'ok', text: [`Set ${key} in ${environment.name}.`, ...notes].join(' ') };
    });
  });

  app.post('/env/:env/secrets/rotate', async (request, reply) => {
    const { user, environment } = requireAction(site, request, envParam(request), 'secrets');
    const reason = checkedReason(environment, request.body);
    const path = pagePath(site, environment, 'secrets');
    return actThenRedirect(reply, path, async () => {
      // print: false: the new private key is written in place of the old key file, never returned to a page.
      const result = await rotateKey({
        ...targetFor(site, environment.name, user),
        print: false,
        ...(reason ? { reason } : {}),
      });
      return {
        kind: 'ok',
        text: [
          `Rotated ${environment.name}'s key pair: ${result.secrets} secret(s) re-encrypted and verified; commit the new public key.`,
          ...result.warnings,
        ].join(' '),
      };
    });
  });
}

function adminForms(
  site: ConsoleSite,
  environment: ConsoleSite['environments'][number],
  path: string,
  csrf: string,
): Html {
  const keys = [...site.project.schema.leaves.values()].filter((leaf) => leaf.secret).map((leaf) => leaf.key);
  if (keys.length === 0)
    return html`<p class="muted">The schema marks no key secret(), so there is nothing to set.</p>`;
  return html`<form class="act" method="post" action="${path}/set" data-form="set-secret">${csrfField(csrf)}
<h2>Set a secret</h2>
<label for="key">Key</label>
<select id="key" name="key">${keys.map((key) => html`<option value="${key}">${key}</option>`)}</select>
<label for="value">Value (encrypted with the public key; never shown again)</label>
<input id="value" name="value" type="password" autocomplete="new-password" required>
${policyNote(environment, 'secrets')}${reasonFields(environment, 'set-')}
<p><button type="submit">Set secret</button></p></form>
<form class="act" method="post" action="${path}/rotate" data-form="rotate-key">${csrfField(csrf)}
<h2>Rotate the key pair</h2>
<p>Makes a new key pair and re-encrypts every secret, all or nothing. Needs ${environment.name}'s private key on the console's host.</p>
${reasonFields(environment, 'rotate-')}
<p><button class="danger" type="submit">Rotate key</button></p></form>`;
}
