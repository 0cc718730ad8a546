"""Produces N records with python3-confluent-kafka using librdkafka properties given as k=v args.

Usage: produce_secure.py TOPIC COUNT key=value...; prints 'delivered N' or exits 1 on any error.
"""
import sys
from confluent_kafka import Producer

topic, count = sys.argv[1], int(sys.argv[2])
config = dict(arg.split("=", 1) for arg in sys.argv[3:])
errors = []
delivered = [0]


def report(err, _msg):
    if err is not None:
        errors.append(str(err))
    else:
        delivered[0] += 1


def on_error(err):
    errors.append(str(err))


config["error_cb"] = on_error
config.setdefault("message.timeout.ms", "15000")
producer = Producer(config)
for i in range(count):
    producer.produce(topic, key=f"k{i}", value=f"v{i}", on_delivery=report)
    producer.poll(0)
remaining = producer.flush(20)
if errors or remaining or delivered[0] != count:
    print(f"failed: delivered={delivered[0]} remaining={remaining} errors={errors[:3]}", file=sys.stderr)
    sys.exit(1)
print(f"delivered {delivered[0]}")
