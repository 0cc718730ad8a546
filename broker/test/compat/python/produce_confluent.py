"""Produces the compatibility data set with librdkafka (python3-confluent-kafka)."""
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic, count, compression, base_ts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
errors = []

admin = AdminClient({'bootstrap.servers': bootstrap})
for future in admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)]).values():
    future.result(30)


def on_delivery(err, _msg):
    if err is not None:
        errors.append(str(err))


producer = Producer({
    'bootstrap.servers': bootstrap,
    'acks': 'all',
    'enable.idempotence': True,
    'compression.type': compression,
    'linger.ms': 5,
    'batch.num.messages': 2000,
})
for i in range(count):
    key = f'key-{i % 997}'
    value = f'value-{i}-' + 'x' * (i % 50)
    while True:
        try:
            producer.produce(topic, value=value.encode(), key=key.encode(), timestamp=base_ts + i,
                             headers=[('idx', str(i).encode()), ('client', b'librdkafka')], on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.05)
    if i % 1000 == 0:
        producer.poll(0)
remaining = producer.flush(60)
print(json.dumps({'errors': errors[:5], 'errorCount': len(errors), 'unflushed': remaining}))
sys.exit(1 if errors or remaining else 0)
