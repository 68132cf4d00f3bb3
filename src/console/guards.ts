/**
 * The server-side checks every console route makes: the user's role in the
 * environment for the action, and for a change in production the reason and
 * the environment's name typed again. Pages also hide what a role may not
 * do, but these are the checks.
 */
import type { FastifyRequest } from 'fastify';
import type { Environment } from '../environment/index.js';
import { type Html, html } from './html.js';
import { allows, type ConsoleAction } from './roles.js';
import { ConsoleHttpError, type ConsoleSite, environmentOf } from './site.js';
import type { ConsoleUser } from './user-records.js';

export interface Allowed {
  readonly user: ConsoleUser;
  readonly environment: Environment;
}

/** The signed-in user, allowed `action` in the environment named `name`; 404 for an unknown one, 403 otherwise. */
export function requireAction(
  site: ConsoleSite,
  request: FastifyRequest,
  name: string,
  action: ConsoleAction,
): Allowed {
  const environment = environmentOf(site, name);
  const user = request.consoleUser;
  if (!user) throw new ConsoleHttpError(403, 'Log in first.');
  if (!allows(user.grants, environment.name, action)) {
    throw new ConsoleHttpError(
      403,
      `Your role in ${environment.name} does not allow this (${action}); ask an admin of ${environment.name}.`,
      { environment: environment.name, action },
    );
  }
  return { user, environment };
}

/** Whether production's typed confirmation applies. */
function needsConfirmation(environment: Environment): boolean {
  return environment.tier === 'production';
}

/**
 * The reason (and in production the typed environment name) a change form
 * carries; `idPrefix` keeps element ids unique when a page has several such forms.
 */
export function reasonFields(environment: Environment, idPrefix = ''): Html {
  return html`<label for="${idPrefix}reason">Reason${environment.protected ? ' (required)' : ''}</label>
<input id="${idPrefix}reason" name="reason" type="text" maxlength="500"${environment.protected ? html` required` : ''}>
${
  needsConfirmation(environment)
    ? html`<label for="${idPrefix}confirm">Type <code>${environment.name}</code> to confirm</label>
<input id="${idPrefix}confirm" name="confirm" type="text" autocomplete="off" required>`
    : ''
}`;
}

/** The form's reason, checked: required in protected environments; in production the name typed again. */
export function checkedReason(environment: Environment, body: unknown): string | undefined {
  const fields = (body ?? {}) as { reason?: unknown; confirm?: unknown };
  const reason = typeof fields.reason === 'string' ? fields.reason.trim().slice(0, 500) : '';
  if (environment.protected && reason === '') {
    throw new ConsoleHttpError(400, `A change in ${environment.name} needs a reason.`);
  }
  if (needsConfirmation(environment) && fields.confirm !== environment.name) {
    throw new ConsoleHttpError(400, `Type ${environment.name} in the confirmation field to change it.`);
  }
  return reason || undefined;
}

/** A text field of a form, or undefined. */
export function field(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
