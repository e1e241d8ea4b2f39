/**
 * DELETE /payments/v1/authorizations/{token}: releases an authorization that will not be used.
 */
import { authorizationType, type AuthorizationState } from '../../domain/authorization/authorization-state.js';
import { throwIfRejected } from '../../domain/errors.js';
import { decideCancelAuthorization } from '../../domain/session/decide-payments.js';
import { sessionType } from '../../domain/session/session-state.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { authorizationTimers } from './authorize-session.js';

export async function cancelAuthorization(uow: UnitOfWork, token: string): Promise<void> {
  const auth = await uow.load<AuthorizationState>(authorizationType, token);
  throwIfRejected(decideCancelAuthorization(auth, uow.now));
  uow.put(authorizationType, token, { ...auth!, status: 'cancelled' });
  uow.cancelTimer(authorizationTimers.expire(token));
  uow.event(sessionType, auth!.session_id, 'authorization.cancelled');
}
