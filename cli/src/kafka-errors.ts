import { protocolErrorsCodesById } from '@platformatic/kafka';

/** Kafka's name for a protocol error code, as operators look it up in Kafka's documentation. */
export function kafkaErrorName(code: number): string {
  return protocolErrorsCodesById[code] ?? `error ${code}`;
}
