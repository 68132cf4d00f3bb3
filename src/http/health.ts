import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { SLOT_HEADER } from '../deploy/instance-readiness.js';
import type { ReadinessView } from './live-readiness.js';

const LIVE_BODY = JSON.stringify({ status: 'live' });

/**
 * `GET <live>`: the process answers, nothing else (a failing database must
 * not get a healthy process restarted). `GET <ready>`: the last readiness
 * report, 200 when ready, 503 while starting or when a check fails; read
 * from memory, so a probe never waits on the database. A blue-green
 * instance adds its slot in `x-envward-slot`.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  paths: { readonly live?: string | undefined; readonly ready?: string | undefined },
  readiness: ReadinessView,
  routeOptions: (endpoint: 'live' | 'ready') => RouteShorthandOptions,
  slot?: string,
): void {
  if (paths.live) {
    app.get(paths.live, routeOptions('live'), (_request, reply) => {
      reply.type('application/json; charset=utf-8').send(LIVE_BODY);
    });
  }
  if (paths.ready) {
    app.get(paths.ready, routeOptions('ready'), (_request, reply) => {
      // A slotted instance names its slot, so `deploy switch` can tell a blue instance listed as green.
      if (slot !== undefined) reply.header(SLOT_HEADER, slot);
      reply
        .code(readiness.report.status === 'ready' ? 200 : 503)
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .send(readiness.body);
    });
  }
}
