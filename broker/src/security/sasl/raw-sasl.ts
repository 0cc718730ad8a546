import type { SecuritySession } from '../session.ts';
import type { CredentialStore } from './credential-store.ts';
import { SaslAuthenticationError, startExchange } from './sasl-mechanisms.ts';

/**
 * SaslHandshake v0 (kafka-python 2.0, pre-1.0 Java clients): the SASL tokens that follow travel
 * as bare size-prefixed frames without a request header. Answers one token; a failed exchange
 * throws, which closes the connection, as Kafka does in this mode.
 */
export function rawSaslStep(frame: Buffer, session: SecuritySession, credentials: CredentialStore, reauthMs: number): Buffer[] {
  session.sasl ??= startExchange(session.handshakeMechanism!, credentials);
  let step;
  try {
    step = session.sasl.step(frame);
  } catch (error) {
    session.resetSasl();
    if (error instanceof SaslAuthenticationError) throw new SaslAuthenticationError(`${error.message} (raw SASL after SaslHandshake v0)`);
    throw error;
  }
  if (step.done) session.authenticatedAs(step.principal, reauthMs);
  const size = Buffer.alloc(4);
  size.writeInt32BE(step.response.length);
  return [size, step.response];
}
