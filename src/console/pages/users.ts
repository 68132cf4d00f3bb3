/**
 * /users: the console's users and their roles, for an admin of the
 * console's own environment. Adding, changing roles and removing go through
 * the users library as `console:<name>`, so each is audited in that
 * environment's log with the user's name and reason. A role in environment
 * E is granted, changed or revoked only by an admin of E (grant-changes.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isEnvwardError } from '../../errors.js';
import { checkRemovable, requestedGrants } from '../grant-changes.js';
import { checkedReason, field, requireAction } from '../guards.js';
import { page } from '../layout.js';
import { csrfToken, sendPage, setFlash, takeFlash } from '../reply-helpers.js';
import { ConsoleHttpError, type ConsoleSite, targetFor, url } from '../site.js';
import { allUsers, findUser } from '../user-records.js';
import { addConsoleUser, removeConsoleUser, setConsoleRoles } from '../users.js';
import { usersBody } from './users-view.js';

type NameParams = { Params: { name: string } };

export function registerUsersPages(app: FastifyInstance, site: ConsoleSite): void {
  const home = site.home.name;
  const flashPath = site.prefix || '/';
  const order = site.project.environments.names;

  /** Runs a change; a library refusal becomes a flash (code and message, never a value), then back to /users. */
  async function act(reply: FastifyReply, done: string, change: () => Promise<unknown>) {
    try {
      await change();
      setFlash(reply, flashPath, 'ok', done);
    } catch (error) {
      if (!isEnvwardError(error)) throw error;
      setFlash(reply, flashPath, 'error', `${error.code}: ${error.message}`);
    }
    return reply.redirect(url(site, '/users'), 303);
  }

  async function existing(name: string) {
    const user = await findUser(site.db, name);
    if (!user) throw new ConsoleHttpError(404, 'No such console user.');
    return user;
  }

  app.get('/users', async (request, reply) => {
    const { user } = requireAction(site, request, home, 'users');
    const csrf = csrfToken(reply);
    return sendPage(
      reply,
      page({
        site,
        user,
        title: 'Users',
        body: usersBody(site, user, await allUsers(site.db), csrf),
        csrf,
        flash: takeFlash(request, reply, flashPath),
      }),
    );
  });

  app.post('/users/add', async (request, reply) => {
    const { user } = requireAction(site, request, home, 'users');
    const reason = checkedReason(site.home, request.body);
    const name = (field(request.body, 'name') ?? '').trim().toLowerCase();
    const password = field(request.body, 'password') ?? '';
    if (password === '' && !site.settings.oidc) {
      throw new ConsoleHttpError(400, 'Give a password: this console has no OpenID Connect login.');
    }
    const roles = requestedGrants(site.environments, order, user.grants, new Map(), request.body);
    return act(reply, `Added ${name}.`, () =>
      addConsoleUser({
        ...targetFor(site, home, user),
        name,
        roles,
        ...(password !== '' ? { password } : {}),
        ...(reason ? { reason } : {}),
      }),
    );
  });

  app.post<NameParams>('/users/:name/roles', async (request, reply) => {
    const { user } = requireAction(site, request, home, 'users');
    const reason = checkedReason(site.home, request.body);
    const target = await existing(request.params.name);
    const roles = requestedGrants(site.environments, order, user.grants, target.grants, request.body);
    return act(reply, `Saved the roles of ${target.name}.`, () =>
      setConsoleRoles({ ...targetFor(site, home, user), name: target.name, roles, ...(reason ? { reason } : {}) }),
    );
  });

  app.post<NameParams>('/users/:name/remove', async (request, reply) => {
    const { user } = requireAction(site, request, home, 'users');
    const reason = checkedReason(site.home, request.body);
    const target = await existing(request.params.name);
    if (target.name === user.name) throw new ConsoleHttpError(400, 'You cannot remove yourself.');
    checkRemovable(user.grants, target.grants);
    return act(reply, `Removed ${target.name}.`, () =>
      removeConsoleUser({ ...targetFor(site, home, user), name: target.name, ...(reason ? { reason } : {}) }),
    );
  });
}
