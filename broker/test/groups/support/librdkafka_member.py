"""One consumer group member on librdkafka (python3-confluent-kafka), in its own process so a test
can kill -9 it. Prints JSON lines: {"assigned": [...]} (everything owned) after each assignment,
{"revoked": [...]} for each revocation, {"p", "o", "v"} per record. Offsets are committed
synchronously after each processed batch (the safe order). The optional fifth argument is the
assignment strategy (default range; cooperative-sticky for incremental rebalancing, where
librdkafka hands over only the partitions that move)."""
import json
import signal
import sys

from confluent_kafka import Consumer

bootstrap, group, topic, name = sys.argv[1:5]
strategy = sys.argv[5] if len(sys.argv) > 5 else 'range'
consumer = Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'client.id': name,
    'enable.auto.commit': False,
    'auto.offset.reset': 'earliest',
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
    'partition.assignment.strategy': strategy,
})
owned = set()


def emit(value):
    sys.stdout.write(json.dumps(value) + '\n')
    sys.stdout.flush()


def on_assign(_consumer, partitions):
    # Eager strategies revoke everything first, so this is the whole assignment; cooperative
    # ones pass only the partitions added.
    owned.update(p.partition for p in partitions)
    emit({'assigned': sorted(owned)})


def on_revoke(_consumer, partitions):
    owned.difference_update(p.partition for p in partitions)
    emit({'revoked': sorted(p.partition for p in partitions)})


running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
while running:
    batch = consumer.consume(num_messages=500, timeout=0.2)
    if not batch:
        continue
    for message in batch:
        if message.error():
            continue
        emit({'p': message.partition(), 'o': message.offset(), 'v': message.value().decode()})
    try:
        consumer.commit(asynchronous=False)
    except Exception as error:  # a rebalance in progress: the records come again to the new owner
        sys.stderr.write(f'commit failed: {error}\n')
consumer.close()
