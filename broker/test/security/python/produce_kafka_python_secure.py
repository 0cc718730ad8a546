"""Produces N records with kafka-python 2.0.2 over SASL_SSL (SaslHandshake v0, then raw SASL tokens).

Usage: produce_kafka_python_secure.py BOOTSTRAP TOPIC COUNT MECHANISM USER PASSWORD CAFILE
"""
import sys
from kafka import KafkaProducer

bootstrap, topic, count, mechanism, user, password, cafile = sys.argv[1:8]
producer = KafkaProducer(
    bootstrap_servers=bootstrap,
    security_protocol="SASL_SSL",
    sasl_mechanism=mechanism,
    sasl_plain_username=user,
    sasl_plain_password=password,
    ssl_cafile=cafile,
    acks="all",
    api_version_auto_timeout_ms=10000,
    max_block_ms=10000,
)
futures = [producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode()) for i in range(int(count))]
for future in futures:
    future.get(timeout=20)
producer.close()
print(f"delivered {len(futures)}")
