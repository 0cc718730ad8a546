"""Kafka side of the broker benchmark on librdkafka (Debian python3-confluent-kafka, run with
/usr/bin/python3): topic setup, end-offset checks and the latency pair. Bulk produce and consume
use kcat, a C loop. Prints one JSON report line.

  kafka_client.py <bootstrap> create-topic <topic> <partitions>
  kafka_client.py <bootstrap> end-offset <topic>
  kafka_client.py <bootstrap> latency-sub <topic> <count> <warmup>
  kafka_client.py <bootstrap> latency-pub <topic> <count> <size> <rate>
"""
import base64
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

STAMP_DIGITS = 20


def report(value):
    print(json.dumps(value), flush=True)


def create_topic(bootstrap, topic, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(topic, int(partitions), 1)]).values():
        future.result(30)
    report({"created": topic})


def end_offset(bootstrap, topic):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-check"})
    metadata = consumer.list_topics(topic, timeout=30)
    total = 0
    for partition in metadata.topics[topic].partitions:
        total += consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=30)[1]
    consumer.close()
    report({"endOffset": total})


def latency_sub(bootstrap, topic, count, warmup):
    count, warmup = int(count), int(warmup)
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "bench-latency",
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 500,
        "fetch.min.bytes": 1,
    })
    consumer.assign([TopicPartition(topic, 0, 0)])
    consumer.consume(num_messages=1, timeout=0.5)
    report({"ready": True})
    samples = []
    deadline = time.monotonic() + 120
    while len(samples) < count and time.monotonic() < deadline:
        # poll() returns as soon as one record is there; consume(n) would wait for n or the timeout.
        message = consumer.poll(0.2)
        if message is None:
            continue
        if message.error():
            raise RuntimeError(message.error())
        received = time.monotonic_ns()
        samples.append((received - int(message.value()[:STAMP_DIGITS])) / 1000)
    consumer.close()
    kept = sorted(samples[warmup:])

    def at(q):
        return kept[min(len(kept) - 1, int(q * len(kept)))]

    report({"count": len(kept), "p50Us": at(0.5), "p99Us": at(0.99), "maxUs": kept[-1]})


def latency_pub(bootstrap, topic, count, size, rate):
    count, size, rate = int(count), int(size), float(rate)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": 1, "linger.ms": 0})
    filler = base64.b64encode(os.urandom(size)).decode("ascii")[:size].encode("ascii")
    failures = []

    def delivered(error, _message):
        if error is not None:
            failures.append(str(error))

    start = time.monotonic()
    for i in range(count):
        due = start + i / rate
        wait = due - time.monotonic()
        if wait > 0.001:
            time.sleep(wait)
        stamp = str(time.monotonic_ns()).zfill(STAMP_DIGITS).encode("ascii")
        producer.produce(topic, stamp + filler[STAMP_DIGITS:], partition=0, on_delivery=delivered)
        producer.poll(0)
    producer.flush(30)
    if failures:
        raise RuntimeError(f"{len(failures)} deliveries failed, first: {failures[0]}")
    report({"published": count})


if __name__ == "__main__":
    bootstrap, mode, *args = sys.argv[1:]
    {
        "create-topic": create_topic,
        "end-offset": end_offset,
        "latency-sub": latency_sub,
        "latency-pub": latency_pub,
    }[mode](bootstrap, *args)
