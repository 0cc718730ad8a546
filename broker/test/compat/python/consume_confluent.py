"""Reads every partition of a topic from the beginning with librdkafka and prints JSON lines."""
import json
import sys

from confluent_kafka import Consumer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'compat-unused', 'enable.auto.commit': False,
                     'auto.offset.reset': 'earliest'})
metadata = consumer.list_topics(topic, timeout=10)
partitions = sorted(metadata.topics[topic].partitions)
consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
out = sys.stdout
received = 0
idle = 0
while received < count and idle < 100:
    batch = consumer.consume(num_messages=5000, timeout=0.2)
    if not batch:
        idle += 1
        continue
    idle = 0
    for msg in batch:
        if msg.error():
            print(json.dumps({'error': str(msg.error())}), file=sys.stderr)
            sys.exit(1)
        headers = {k: v.decode() for k, v in (msg.headers() or [])}
        out.write(json.dumps({'partition': msg.partition(), 'offset': msg.offset(), 'key': msg.key().decode(),
                              'value': msg.value().decode(), 'headers': headers, 'timestamp': msg.timestamp()[1]}) + '\n')
        received += 1
consumer.close()
