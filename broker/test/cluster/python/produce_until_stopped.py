"""Idempotent librdkafka producer (python3-confluent-kafka): sends m-0, m-1, ... until the stop
file appears, then flushes and prints one JSON line: the values acknowledged and the errors."""
import json
import os
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, stop_file, progress_file = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
acknowledged = []
errors = []


def on_delivery(err, msg):
    if err is None:
        acknowledged.append(msg.value().decode())
    else:
        errors.append(str(err))


producer = Producer({
    'bootstrap.servers': bootstrap,
    'acks': 'all',
    'enable.idempotence': True,
    'linger.ms': 5,
    'message.timeout.ms': 30000,
    'retry.backoff.ms': 100,
    'reconnect.backoff.max.ms': 1000,
    'topic.metadata.refresh.interval.ms': 1000,
})
sent = 0
last_progress = 0
while not os.path.exists(stop_file):
    value = f'm-{sent}'
    try:
        producer.produce(topic, value=value.encode(), key=value.encode(), on_delivery=on_delivery)
        sent += 1
    except BufferError:
        producer.poll(0.05)
        continue
    if sent % 10 == 0:
        producer.poll(0)
        time.sleep(0.004)
    if len(acknowledged) - last_progress >= 200:
        last_progress = len(acknowledged)
        with open(progress_file + '.tmp', 'w') as f:
            f.write(str(last_progress))
        os.replace(progress_file + '.tmp', progress_file)
remaining = producer.flush(60)
print(json.dumps({'acknowledged': acknowledged, 'errors': errors[:10], 'errorCount': len(errors), 'unflushed': remaining, 'sent': sent}))
