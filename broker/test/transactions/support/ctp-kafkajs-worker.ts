// A consume-transform-produce loop with kafkajs: each fetched batch is copied to the output topic
// and its input offsets committed in one transaction. Args: bootstrap input output group txnId.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const [bootstrap, input, output, group, transactionalId] = process.argv.slice(2) as [string, string, string, string, string];

const kafka = new Kafka({ clientId: 'ctp-kafkajs', brokers: [bootstrap], logLevel: logLevel.ERROR });
const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
const consumer = kafka.consumer({ groupId: group, readUncommitted: false, sessionTimeout: 2000, heartbeatInterval: 500, rebalanceTimeout: 4000, maxWaitTimeInMs: 200 });

await producer.connect();
await consumer.connect();
await consumer.subscribe({ topic: input, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
    if (batch.messages.length === 0) return;
    const txn = await producer.transaction();
    try {
      await txn.send({ topic: output, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) });
      // The test kills the worker right after this line: inside an open transaction. The pause
      // stands for the rest of a job's work before it commits (kafkajs commits within a few
      // milliseconds otherwise, quicker than the test can aim its kill).
      console.log(JSON.stringify({ sent: batch.messages.length }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await txn.sendOffsets({
        consumerGroupId: group,
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }] }],
      });
      await txn.commit();
    } catch (error) {
      await txn.abort().catch(() => undefined);
      throw error;
    }
    resolveOffset(batch.lastOffset());
    await heartbeat();
  },
});
console.log(JSON.stringify({ running: true }));
