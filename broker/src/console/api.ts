import type { FastifyInstance, FastifyReply } from 'fastify';
import { fetchAllCollectors, type CollectorTarget } from './collectors.ts';
import { listGroups } from './groups.ts';
import { browseMessages } from './messages.ts';
import { clusterOverview } from './overview.ts';
import { BadRequest, intParam, timestampParam } from './query.ts';
import type { ConsoleSampler } from './sampler.ts';
import { describeTopic, listTopics } from './topics.ts';
import type { ConsoleSources } from './types.ts';

export interface ConsoleApiContext {
  sources: ConsoleSources;
  sampler: ConsoleSampler;
  collectors: CollectorTarget[];
  collectorTimeoutMs: number;
  startedAt: number;
}

const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

function fail(reply: FastifyReply, code: number, message: string) {
  return reply.code(code).send({ error: message });
}

/** The console's JSON API: GET only, read from the broker's own state. */
export function registerConsoleApi(app: FastifyInstance, context: ConsoleApiContext): void {
  const { sources, sampler } = context;

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof BadRequest) return fail(reply, 400, error.message);
    const status = (error as { statusCode?: number }).statusCode;
    return fail(reply, status && status >= 400 && status < 500 ? status : 500, (error as Error).message);
  });

  app.get('/api/console/overview', async () => clusterOverview(sources, context.startedAt));

  app.get('/api/console/topics', async () => ({ topics: listTopics(sources) }));

  app.get<{ Params: { topic: string } }>('/api/console/topics/:topic', async (request, reply) => {
    const topic = describeTopic(sources, request.params.topic);
    return topic ?? fail(reply, 404, `topic '${request.params.topic}' does not exist`);
  });

  app.get<{ Params: { topic: string; partition: string }; Querystring: Record<string, string | undefined> }>(
    '/api/console/topics/:topic/partitions/:partition/messages',
    async (request, reply) => {
      const { topic } = request.params;
      const partitionIndex = intParam(request.params.partition, 'partition', { min: 0, max: 0x7fffffff })!;
      const query = request.query;
      const offset = intParam(query.offset, 'offset', { min: 0, max: MAX_OFFSET });
      const timestamp = timestampParam(query.timestamp, 'timestamp');
      if (offset !== undefined && timestamp !== undefined) throw new BadRequest('give offset or timestamp, not both');
      const limit = intParam(query.limit, 'limit', { min: 1, max: 500, fallback: 50 })!;
      const maxValueChars = intParam(query.maxChars, 'maxChars', { min: 16, max: 65536, fallback: 1024 })!;
      if (!sources.metadata.topic(topic)) return fail(reply, 404, `topic '${topic}' does not exist`);
      const partition = sources.replicaManager.partition(topic, partitionIndex);
      if (!partition) return fail(reply, 404, `partition ${partitionIndex} of '${topic}' is not hosted on this broker`);
      const browse: Parameters<typeof browseMessages>[1] = { limit, maxValueChars };
      if (offset !== undefined) browse.offset = offset;
      if (timestamp !== undefined) browse.timestamp = timestamp;
      return { topic, partition: partitionIndex, ...browseMessages(partition, browse) };
    },
  );

  app.get('/api/console/groups', async () => ({ groups: await listGroups(sources) }));

  app.get<{ Params: { group: string } }>('/api/console/groups/:group', async (request, reply) => {
    const group = (await listGroups(sources)).find((g) => g.groupId === request.params.group);
    if (!group) return fail(reply, 404, `group '${request.params.group}' is not known to this broker`);
    const history = sampler.lag.toArray().map((sample) => ({ t: sample.t, lag: sample.lags[group.groupId] ?? null }));
    return { ...group, history };
  });

  app.get('/api/console/lag-history', async () => ({ intervalMs: sampler.intervalMs, samples: sampler.lag.toArray() }));

  app.get('/api/console/throughput', async () => ({
    intervalMs: sampler.intervalMs,
    capacity: sampler.throughput.capacity,
    samples: sampler.throughput.toArray(),
    topics: sampler.topicRates(),
  }));

  app.get('/api/console/collectors', async () => ({ collectors: await fetchAllCollectors(context.collectors, context.collectorTimeoutMs) }));
}
