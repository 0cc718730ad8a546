import { parseArgs } from 'node:util';
import { describeLandedTable, hiveDdl, landedTopics, openFileSystem, parseWebHdfsUrl } from '@tributary/hdfs-sink';
import { loadSinkConfig } from './sink-config.ts';
import { stringOptions } from './flag-values.ts';

/** Where Hive finds a root: the local directory as file://, a WebHDFS root as hdfs://<first namenode host>. */
function defaultLocationPrefix(root: string, localRoot: string | null): string {
  if (localRoot) return `file://${localRoot}`;
  const options = parseWebHdfsUrl(root);
  return `hdfs://${new URL(options.namenodes[0]!).hostname}${options.root === '/' ? '' : options.root}`;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, 'location-prefix': { type: 'string' }, ...stringOptions(['root', 'topics']) }, strict: true });
  const config = loadSinkConfig(values, ['root', 'topics']);
  const fs = openFileSystem(config.root);
  try {
    const prefix = (values['location-prefix'] ?? defaultLocationPrefix(config.root, fs.localPath('/'))).replace(/\/+$/, '');
    const topics = config.topics.length > 0 ? config.topics : await landedTopics(fs);
    for (const topic of topics) {
      const table = await describeLandedTable(fs, topic);
      if (table.files.length === 0) {
        process.stderr.write(`-- ${topic}: nothing landed yet\n`);
        continue;
      }
      process.stdout.write(`${hiveDdl(table, `${prefix}/${topic}`)}\n\n`);
    }
  } finally {
    await fs.close();
  }
  return 0;
}
