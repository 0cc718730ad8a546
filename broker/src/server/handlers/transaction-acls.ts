import type { SecuritySession } from '../../security/session.ts';
import type { BrokerServices } from '../broker-services.ts';

/** Kafka's rule for every transactional request: WRITE on the transactional id. */
export function mayWriteTransaction(services: BrokerServices, session: SecuritySession, transactionalId: string): boolean {
  return services.security.authorizer.authorize(session, 'WRITE', 'TRANSACTIONAL_ID', transactionalId);
}
