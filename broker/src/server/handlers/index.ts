import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { advertisedVersions } from '../request-processor.ts';
import { apiVersionsHandler } from './api-versions.ts';
import { createPartitionsHandler } from './create-partitions.ts';
import { createTopicsHandler } from './create-topics.ts';
import { deleteRecordsHandler } from './delete-records.ts';
import { deleteTopicsHandler } from './delete-topics.ts';
import { describeClusterHandler } from './describe-cluster.ts';
import { describeConfigsHandler } from './describe-configs.ts';
import { fetchHandler } from './fetch.ts';
import { alterConfigsHandler } from './incremental-alter-configs.ts';
import { initProducerIdHandler } from './init-producer-id.ts';
import { listOffsetsHandler } from './list-offsets.ts';
import { metadataHandler } from './metadata.ts';
import { produceHandler } from './produce.ts';

/** Every API this broker answers, keyed by API key. */
export async function createHandlers(services: BrokerServices): Promise<Map<number, ApiHandler>> {
  const handlers = new Map<number, ApiHandler>();
  const add = (handler: ApiHandler) => handlers.set(handler.apiKey, handler);
  add(produceHandler(services));
  add(fetchHandler(services));
  add(listOffsetsHandler(services));
  add(metadataHandler(services));
  add(createTopicsHandler(services));
  add(deleteTopicsHandler(services));
  add(createPartitionsHandler(services));
  add(describeConfigsHandler(services));
  add(alterConfigsHandler(services, true));
  add(alterConfigsHandler(services, false));
  add(deleteRecordsHandler(services));
  add(describeClusterHandler(services));
  add(initProducerIdHandler(services));
  add(apiVersionsHandler(() => advertisedVersions(handlers)));
  return handlers;
}
