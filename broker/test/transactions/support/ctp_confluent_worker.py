"""A consume-transform-produce loop with confluent-kafka (librdkafka): each consumed batch is
copied to the output topic and its offsets committed in one transaction.
Args: bootstrap input output group transactional_id."""
import sys

from confluent_kafka import Consumer, Producer

bootstrap, source, sink, group, transactional_id = sys.argv[1:6]

consumer = Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'enable.auto.commit': False,
    'isolation.level': 'read_committed',
    'auto.offset.reset': 'earliest',
    'session.timeout.ms': 2000,
    'heartbeat.interval.ms': 500,
})
producer = Producer({
    'bootstrap.servers': bootstrap,
    'transactional.id': transactional_id,
    'linger.ms': 5,
})
producer.init_transactions(30)
consumer.subscribe([source])
print('{"running": true}', flush=True)

while True:
    messages = [m for m in consumer.consume(num_messages=2000, timeout=0.5) if m.error() is None]
    if not messages:
        continue
    producer.begin_transaction()
    for message in messages:
        while True:
            try:
                producer.produce(sink, key=message.key(), value=message.value())
                break
            except BufferError:
                producer.poll(0.05)
    # The test kills the worker right after this line: inside an open transaction, its records on the broker.
    producer.flush(30)
    print('{"sent": %d}' % len(messages), flush=True)
    producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)
