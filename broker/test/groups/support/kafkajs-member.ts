// One consumer group member in its own process, so a test can kill -9 it. Prints JSON lines:
// {"assigned":[...]} after each rebalance and {"p":..,"o":..,"v":..} per processed record.
// Offsets are committed only after a batch is processed (the safe order).
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const [bootstrap, groupId, topic, memberName] = process.argv.slice(2) as [string, string, string, string];
// A supervisor restarts a crashed consumer, as a service would: the broker's guarantees, not
// kafkajs's error policy, are what the test is about.
const kafka = new Kafka({ clientId: memberName, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { restartOnFailure: async () => true } });
const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10000 });
const print = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n');

consumer.on(consumer.events.GROUP_JOIN, (event) => {
  const assignment = event.payload.memberAssignment[topic] ?? [];
  print({ assigned: [...assignment].sort((a, b) => a - b), generation: event.payload.groupId });
});

consumer.on(consumer.events.CRASH, (event) => process.stderr.write(`crash: ${event.payload.error.stack ?? event.payload.error}\n`));

await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
    for (const message of batch.messages) {
      print({ p: batch.partition, o: Number(message.offset), v: message.value!.toString() });
      resolveOffset(message.offset);
    }
    await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }]);
    await heartbeat();
  },
});
const stop = async () => {
  await consumer.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
