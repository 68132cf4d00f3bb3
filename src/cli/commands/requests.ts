import type { Command } from 'commander';
import { isEnvwardError, UsageError } from '../../errors.js';
// The entry's lazy functions: Kysely loads when a request command runs, not with the CLI.
import {
  approveRequest,
  type ChangeRequest,
  listRequests,
  type RequestStatus,
  rejectRequest,
  showRequest,
} from '../../runtime/index.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import type { Output } from '../output.js';
import { printable } from '../output.js';

/** The target of a request command: --cwd and --env (required: a request belongs to one environment). */
function target(options: CommonOptions): { cwd?: string; env: string } {
  if (options.env === undefined) {
    throw new UsageError(
      'requests commands need --env: a request belongs to one environment.',
      'Add --env production.',
    );
  }
  return { ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), env: options.env };
}

function requestId(text: string): number {
  const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id))
    throw new UsageError(`a request id is a number such as 7, not ${JSON.stringify(text.slice(0, 20))}.`);
  return id;
}

const shown = (text: string | null) => (text === null ? '(not set)' : printable(text));

function summary(request: ChangeRequest): string {
  return `#${request.id}  ${request.status.padEnd(8)}  ${request.kind.padEnd(15)}  ${request.approvals}/${request.required}  by ${printable(request.requester)}  ${printable(request.reason)}`;
}

function details(request: ChangeRequest): string {
  const lines = [
    `request #${request.id} in ${request.environment}: ${request.kind}, ${request.status}${request.outcome ? ` (${printable(request.outcome)})` : ''}`,
    `  by ${printable(request.requester)} at ${request.createdAt}; reason: ${printable(request.reason)}`,
    `  approvals: ${request.approvals} of ${request.required}, from people other than ${printable(request.requester)}`,
    ...request.diff.map((line) => `  ${line.key}: ${shown(line.from)} -> ${shown(line.to)}`),
    ...request.reviews.map(
      (review) =>
        `  ${review.decision === 'approve' ? 'approved' : 'rejected'} by ${printable(review.reviewer)} at ${review.at}${review.reason ? `: ${printable(review.reason)}` : ''}`,
    ),
  ];
  return lines.join('\n');
}

/** What a command that made a request instead of the change prints. */
export function printCreated(output: Output, request: ChangeRequest): void {
  output.result(
    request,
    () =>
      `request #${request.id} created: needs ${request.required} approval${request.required === 1 ? '' : 's'} from someone other than you\n` +
      `  (${request.environment}'s policy; \`envward requests show ${request.id} --env ${request.environment}\`)`,
  );
}

/**
 * Runs a direct act; where the environment's policy refuses it
 * (EW_APPROVAL_REQUIRED), proposes the same change as a request instead and
 * prints it. Undefined when a request was made.
 */
export async function actOrPropose<T>(
  output: Output,
  act: () => Promise<T>,
  propose: (environment: string) => Promise<ChangeRequest>,
): Promise<T | undefined> {
  try {
    return await act();
  } catch (error) {
    if (!isEnvwardError(error) || error.code !== 'EW_APPROVAL_REQUIRED') throw error;
    printCreated(output, await propose(String(error.details.environment)));
    return undefined;
  }
}

export function registerRequestsCommands(program: Command): void {
  const requests = program
    .command('requests')
    .description('change requests (maker-checker) in environments whose policy asks for approvals');

  withCommonOptions(
    requests
      .command('list')
      .description("an environment's change requests (reads only)")
      .option('--status <status>', 'only pending, applied, rejected, stale or failed'),
  ).action(async (options: CommonOptions & { status?: string }) => {
    const output = outputFor(options);
    const found = await listRequests({
      ...target(options),
      ...(options.status !== undefined ? { status: options.status as RequestStatus } : {}),
    });
    output.result(found, () =>
      found.length === 0 ? `${options.env}: no change requests` : found.map(summary).join('\n'),
    );
  });

  withCommonOptions(
    requests.command('show').description('one request with its diff and reviews (reads only)').argument('<id>'),
  ).action(async (id: string, options: CommonOptions) => {
    const output = outputFor(options);
    const request = await showRequest({ ...target(options), id: requestId(id) });
    output.result(request, () => details(request));
  });

  withCommonOptions(
    requests
      .command('approve')
      .description("approve someone else's request; the approval that reaches the quorum applies it")
      .argument('<id>'),
  ).action(async (id: string, options: CommonOptions) => {
    const output = outputFor(options);
    const request = await approveRequest({
      ...target(options),
      id: requestId(id),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    });
    output.result(request, () => details(request));
  });

  withCommonOptions(
    requests.command('reject').description("reject someone else's request (needs --reason)").argument('<id>'),
  ).action(async (id: string, options: CommonOptions) => {
    const output = outputFor(options);
    const request = await rejectRequest({ ...target(options), id: requestId(id), reason: options.reason ?? '' });
    output.result(request, () => details(request));
  });
}
