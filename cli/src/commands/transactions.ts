import { parseArgs } from 'node:util';
import { describeProducersV0, findCoordinatorV4, type Connection } from '@platformatic/kafka';
import { createAdmin } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';
import { kafkaErrorName } from '../kafka-errors.ts';
import { printRows } from '../output.ts';
import { describeTransactions, listTransactions, writeTxnMarkers } from './transactions-protocol.ts';

const TRANSACTION_KEY_TYPE = 1;


function integer(value: string | undefined, flag: string): number {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} must be an integer, got '${value}'`);
  return Number(value);
}

async function producersOf(connection: Connection, topic: string, partition: number) {
  const response = await describeProducersV0.api.async(connection, [{ name: topic, partitionIndexes: [partition] }]);
  return response.topics[0]?.partitions[0]?.activeProducers ?? [];
}

/** `tributary transactions list|describe|describe-producers|abort`: kafka-transactions for Tributary. */
export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...clientOptions,
      'transactional-id': { type: 'string' },
      state: { type: 'string', multiple: true, default: [] },
      'producer-id': { type: 'string' },
      'producer-epoch': { type: 'string' },
      'coordinator-epoch': { type: 'string', default: '0' },
      topic: { type: 'string' },
      partition: { type: 'string' },
      'min-duration-ms': { type: 'string', default: '-1' },
      'start-offset': { type: 'string' },
    },
    strict: true,
  });
  const output = values.output as string;
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got '${output}'`);
  if (!['list', 'describe', 'describe-producers', 'abort'].includes(action ?? '')) throw new UsageError('use transactions list, describe, describe-producers or abort');
  const admin = createAdmin({ bootstrapServers: values['bootstrap-server'] as string, clientId: 'tributary-cli' });
  try {
    const connections = (await admin.connectToBrokers(null)) as Map<number, Connection>;
    const any = () => {
      const first = connections.values().next().value;
      if (!first) throw new Error('no broker answered: check --bootstrap-server');
      return first;
    };
    const partitionLeader = async () => {
      const topic = values.topic as string | undefined;
      if (!topic) throw new UsageError('--topic is required');
      const partition = integer(values.partition as string | undefined, '--partition');
      const leader = (await admin.metadata({ topics: [topic] })).topics.get(topic)?.partitions[partition]?.leader;
      if (leader === undefined) throw new Error(`${topic}-${partition} does not exist`);
      const connection = connections.get(leader);
      if (!connection) throw new Error(`leader broker ${leader} of ${topic}-${partition} is not reachable`);
      return { topic, partition, connection };
    };
    switch (action) {
      case 'list': {
        const producerIds = values['producer-id'] === undefined ? [] : [BigInt(integer(values['producer-id'], '--producer-id'))];
        const rows = [];
        // Each broker lists the transactional ids it coordinates.
        for (const [brokerId, connection] of connections) {
          const listed = await listTransactions.async(connection, values.state as string[], producerIds, BigInt(integer(values['min-duration-ms'] as string, '--min-duration-ms')));
          for (const txn of listed.transactionStates) rows.push({ transactionalId: txn.transactionalId, coordinator: brokerId, producerId: txn.producerId, state: txn.transactionState });
        }
        printRows(rows, output, ['transactionalId', 'coordinator', 'producerId', 'state']);
        return 0;
      }
      case 'describe': {
        const id = values['transactional-id'] as string | undefined;
        if (!id) throw new UsageError('--transactional-id is required');
        const found = await findCoordinatorV4.api.async(any(), TRANSACTION_KEY_TYPE, [id]);
        const nodeId = found.coordinators[0]!.nodeId;
        const connection = connections.get(nodeId);
        if (!connection) throw new Error(`coordinator broker ${nodeId} of '${id}' is not reachable`);
        const [txn] = (await describeTransactions.async(connection, [id])).transactionStates;
        if (!txn || txn.errorCode !== 0) throw new Error(`describing '${id}' failed: ${kafkaErrorName(txn?.errorCode ?? -1)}`);
        printRows([{
          transactionalId: txn.transactionalId,
          coordinator: nodeId,
          state: txn.transactionState,
          producerId: txn.producerId,
          producerEpoch: txn.producerEpoch,
          timeoutMs: txn.transactionTimeoutMs,
          startTime: txn.transactionStartTimeMs >= 0n ? new Date(Number(txn.transactionStartTimeMs)).toISOString() : null,
          partitions: txn.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)),
        }], output);
        return 0;
      }
      case 'describe-producers': {
        const { topic, partition, connection } = await partitionLeader();
        printRows((await producersOf(connection, topic, partition)).map((p) => ({
          producerId: p.producerId,
          producerEpoch: p.producerEpoch,
          lastSequence: p.lastSequence,
          coordinatorEpoch: p.coordinatorEpoch,
          currentTransactionStartOffset: p.currentTxnStartOffset >= 0n ? p.currentTxnStartOffset : null,
        })), output, ['producerId', 'producerEpoch', 'lastSequence', 'coordinatorEpoch', 'currentTransactionStartOffset']);
        return 0;
      }
      default: {
        // A hanging transaction: its producer is gone and its coordinator lost track of it, so
        // the partition's last stable offset is stuck. An abort marker from its leader frees it.
        const { topic, partition, connection } = await partitionLeader();
        let producerId: bigint;
        let producerEpoch: number;
        let coordinatorEpoch: number;
        if (values['start-offset'] !== undefined) {
          // As kafka-transactions does: the producer whose open transaction starts there, with its epochs.
          const startOffset = BigInt(integer(values['start-offset'] as string, '--start-offset'));
          const producer = (await producersOf(connection, topic, partition)).find((p) => p.currentTxnStartOffset === startOffset);
          if (!producer) throw new Error(`no open transaction starts at offset ${startOffset} of ${topic}-${partition}: see tributary transactions describe-producers`);
          ({ producerId, producerEpoch, coordinatorEpoch } = producer);
        } else {
          producerId = BigInt(integer(values['producer-id'] as string | undefined, '--producer-id (or --start-offset)'));
          producerEpoch = integer(values['producer-epoch'] as string | undefined, '--producer-epoch');
          coordinatorEpoch = integer(values['coordinator-epoch'] as string, '--coordinator-epoch');
        }
        const [result] = await writeTxnMarkers.async(connection, [{ producerId, producerEpoch, commit: false, topic, partitions: [partition], coordinatorEpoch }]);
        if (!result || result.errorCode !== 0) throw new Error(`writing the abort marker to ${topic}-${partition} failed: ${kafkaErrorName(result?.errorCode ?? -1)}`);
        printRows([{ topic, partition, producerId, producerEpoch, result: 'aborted' }], output);
        return 0;
      }
    }
  } finally {
    await admin.close();
  }
}
