import type { Command } from '../command.ts';

/**
 * Every subcommand with its help text; the implementation is imported only when the command runs,
 * so `tributary --help` stays fast and a broken optional part cannot break the others.
 */
function lazy(name: string, summary: string, usage: string, load: () => Promise<{ run(args: string[]): Promise<number> }>): Command {
  return { name, summary, usage, run: async (args) => (await load()).run(args) };
}

export const commands: Command[] = [
  lazy(
    'broker start',
    'Run a Kafka-compatible broker (ready when GET /health on the admin port answers 200).',
    '[--port 9092] [--admin-port 9644] [--data-dir DIR] [--broker-id N] [--zookeeper HOST:PORT[/chroot]] [--host ADDR] [--advertised-host NAME] [--config FILE]',
    () => import('./broker-start.ts'),
  ),
  lazy(
    'dump-log',
    'Print the batches of a .log segment (or the entries of a .index/.timeindex), like kafka-dump-log.',
    '--files FILE[,FILE] [--print-data-log] [--output text|json]',
    () => import('./dump-log.ts'),
  ),
  lazy('up', 'Start the embedded all-in-one platform on defaults (data under ./data).', '[--data-dir DIR] [--config FILE]', () => import('./up.ts')),
];
