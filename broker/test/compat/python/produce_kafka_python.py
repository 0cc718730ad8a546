"""Produces the compatibility data set with kafka-python (python3-kafka)."""
import json
import sys

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

bootstrap, topic, count, compression, base_ts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
admin.close()
producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all',
                         compression_type=None if compression == 'none' else compression,
                         linger_ms=5, batch_size=65536, retries=5, max_in_flight_requests_per_connection=1)
futures = []
for i in range(count):
    key = f'key-{i % 997}'
    value = f'value-{i}-' + 'x' * (i % 50)
    futures.append(producer.send(topic, value=value.encode(), key=key.encode(), timestamp_ms=base_ts + i,
                                 headers=[('idx', str(i).encode()), ('client', b'kafka-python')]))
producer.flush(60)
errors = [str(f.exception) for f in futures if f.failed()]
print(json.dumps({'errors': errors[:5], 'errorCount': len(errors)}))
sys.exit(1 if errors else 0)
