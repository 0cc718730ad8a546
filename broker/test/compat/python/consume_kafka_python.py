"""Reads every partition of a topic from the beginning with kafka-python and prints JSON lines."""
import json
import sys

from kafka import KafkaConsumer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset='earliest',
                         consumer_timeout_ms=20000)
partitions = sorted(consumer.partitions_for_topic(topic))
assignment = [TopicPartition(topic, p) for p in partitions]
consumer.assign(assignment)
consumer.seek_to_beginning(*assignment)
out = sys.stdout
received = 0
for msg in consumer:
    headers = {k: v.decode() for k, v in (msg.headers or [])}
    out.write(json.dumps({'partition': msg.partition, 'offset': msg.offset, 'key': msg.key.decode(),
                          'value': msg.value.decode(), 'headers': headers, 'timestamp': msg.timestamp}) + '\n')
    received += 1
    if received >= count:
        break
consumer.close()
