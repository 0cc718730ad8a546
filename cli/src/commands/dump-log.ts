import { parseArgs } from 'node:util';
import { dumpSegmentFile, type SegmentDump } from '@tributary/broker/dump';
import { UsageError } from '../command.ts';

function printText(dump: SegmentDump): void {
  const out = process.stdout;
  out.write(`Dumping ${dump.file}\n`);
  if (dump.kind === 'index') {
    for (const entry of dump.entries) out.write(`offset: ${entry.offset} position: ${entry.position}\n`);
    return;
  }
  if (dump.kind === 'timeindex') {
    for (const entry of dump.entries) out.write(`timestamp: ${entry.timestamp} offset: ${entry.offset}\n`);
    return;
  }
  out.write(`Log starting offset: ${Number(dump.file.split('/').pop()!.slice(0, 20))}\n`);
  for (const batch of dump.batches) {
    out.write(
      `baseOffset: ${batch.baseOffset} lastOffset: ${batch.lastOffset} count: ${batch.count} baseSequence: ${batch.baseSequence} ` +
        `lastSequence: ${batch.baseSequence < 0 ? -1 : batch.baseSequence + batch.lastOffset - batch.baseOffset} producerId: ${batch.producerId} producerEpoch: ${batch.producerEpoch} ` +
        `partitionLeaderEpoch: ${batch.partitionLeaderEpoch} isTransactional: ${batch.isTransactional} isControl: ${batch.isControl} position: ${batch.position} ` +
        `CreateTime: ${batch.createTime} size: ${batch.size} magic: ${batch.magic} compresscodec: ${batch.compresscodec} crc: ${batch.crc} isvalid: ${batch.isValid}\n`,
    );
    for (const record of batch.records ?? []) {
      const headers = Object.entries(record.headers).map(([k, v]) => `${k}:${v}`).join(',');
      out.write(`| offset: ${record.offset} CreateTime: ${record.timestamp} key: ${record.key} headers: ${headers} payload: ${record.value}\n`);
    }
    if (batch.recordsError) out.write(`| records not shown: ${batch.recordsError}\n`);
  }
  if (dump.trailingBytes > 0) out.write(`Found ${dump.trailingBytes} invalid bytes at the end of ${dump.file}\n`);
}

/** `tributary dump-log --files F[,F]`: kafka-dump-log for Tributary's segment files. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { files: { type: 'string' }, 'print-data-log': { type: 'boolean', default: false }, output: { type: 'string', default: 'text' } },
    strict: true,
  });
  if (!values.files) throw new UsageError("--files is required, e.g. --files data/orders-0/00000000000000000000.log");
  if (values.output !== 'text' && values.output !== 'json') throw new UsageError('--output must be text or json');
  for (const file of (values.files as string).split(',')) {
    const dump = dumpSegmentFile(file, { printDataLog: values['print-data-log'] as boolean });
    if (values.output === 'json') process.stdout.write(JSON.stringify(dump) + '\n');
    else printText(dump);
  }
  return 0;
}
