"""Two producers with one transactional.id: the second fences the first, whose commit must fail.
Args: bootstrap topic (one partition, created by the test). Prints 'fenced: <error>' and exits 0 when the zombie was refused."""
import sys

from confluent_kafka import KafkaException, Producer

bootstrap, topic = sys.argv[1:3]

def producer():
    p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'zombie-librdkafka'})
    p.init_transactions(30)
    return p

zombie = producer()
zombie.begin_transaction()
zombie.produce(topic, value=b'zombie')
zombie.flush(30)

successor = producer()
successor.begin_transaction()
successor.produce(topic, value=b'successor')
successor.commit_transaction(30)

try:
    zombie.produce(topic, value=b'zombie-2')
    zombie.commit_transaction(30)
except KafkaException as error:
    print(f'fenced: {error.args[0].name()} {error.args[0].str()}', flush=True)
    sys.exit(0)
print('the zombie committed', flush=True)
sys.exit(1)
