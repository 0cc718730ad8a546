import type { RequestHeader } from '../protocol/index.ts';
import type { ConnectionInfo } from './connection.ts';

export interface RequestContext {
  header: RequestHeader;
  apiVersion: number;
  connection: ConnectionInfo;
  receivedAtMs: number;
}

/**
 * One Kafka API, as KafkaApis splits them: the versions this broker advertises in ApiVersions
 * and the function that turns a decoded request body into a response body. Returning null means
 * "send no response" (Produce with acks=0).
 */
export interface ApiHandler<Request = any, Response = any> {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  handle(request: Request, context: RequestContext): Response | null | Promise<Response | null>;
}
