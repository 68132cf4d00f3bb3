/**
 * Change requests (maker-checker): in an environment whose policy asks for
 * approvals, a change is proposed, reviewed by others, and applies itself at
 * the quorum. docs/requests.md.
 */
export type {
  ChangeRequest,
  ListRequestsRequest,
  ProposeChangeRequest,
  ProposedChange,
  RequestDiffLine,
  RequestKind,
  RequestReview,
  RequestStatus,
  ReviewRequestRequest,
  ShowRequestRequest,
} from './change-request.js';
export { proposeChange } from './propose.js';
export { listRequests, showRequest } from './read.js';
export {
  RequestChangeError,
  RequestClosedError,
  RequestNotFoundError,
  RequestReviewedError,
  RequestSelfReviewError,
  RequestStaleError,
} from './request-errors.js';
export { approveRequest, rejectRequest } from './review.js';
