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
    'topics create',
    'Create a topic.',
    '--topic T [--partitions N] [--replication-factor N] [--config k=v ...] [--bootstrap-server H:P] [--output table|json]',
    async () => ({ run: async (args) => (await import('./topics.ts')).run(['create', ...args]) }),
  ),
  lazy('topics list', 'List topics.', '[--internal] [--bootstrap-server H:P] [--output table|json]', async () => ({ run: async (args) => (await import('./topics.ts')).run(['list', ...args]) })),
  lazy(
    'topics describe',
    'Show partitions, leaders, replicas, ISR and config overrides.',
    '[--topic T] [--bootstrap-server H:P] [--output table|json]',
    async () => ({ run: async (args) => (await import('./topics.ts')).run(['describe', ...args]) }),
  ),
  lazy(
    'topics alter',
    'Change topic configs or add partitions.',
    '--topic T [--config k=v ...] [--delete-config k ...] [--partitions N] [--bootstrap-server H:P]',
    async () => ({ run: async (args) => (await import('./topics.ts')).run(['alter', ...args]) }),
  ),
  lazy('topics delete', 'Delete a topic.', '--topic T [--bootstrap-server H:P]', async () => ({ run: async (args) => (await import('./topics.ts')).run(['delete', ...args]) })),
  lazy(
    'reassign',
    'Move partitions between brokers, like kafka-reassign-partitions (--verify exits 1 while moves are in progress).',
    '(--generate --topics-to-move-json-file FILE --broker-list "1,2,3" | --execute --reassignment-json-file FILE [--throttle BYTES_PER_SEC] | --verify --reassignment-json-file FILE) [--bootstrap-server H:P] [--output table|json]',
    () => import('./reassign.ts'),
  ),
  lazy(
    'leader-election',
    'Elect preferred leaders, or an unclean leader for offline partitions, like kafka-leader-election (exits 1 when a partition could not be elected).',
    '--election-type preferred|unclean (--topic T --partition P | --all-topic-partitions | --path-to-json-file FILE) [--bootstrap-server H:P] [--command-config FILE] [--output table|json]',
    () => import('./leader-election.ts'),
  ),
  lazy(
    'cluster describe',
    'Brokers, the controller, partitions and leaders per broker, under-replicated and offline partitions, reassignments in progress.',
    '[--bootstrap-server H:P] [--command-config FILE] [--output table|json]',
    async () => ({ run: async (args) => (await import('./cluster.ts')).run(['describe', ...args]) }),
  ),
  lazy('groups list', 'List consumer groups and their states.', '[--bootstrap-server H:P] [--output table|json]', async () => ({ run: async (args) => (await import('./groups.ts')).run(['list', ...args]) })),
  lazy(
    'groups describe',
    'Committed offset, log end offset, lag and owner of every partition of a group.',
    '--group G [--bootstrap-server H:P] [--output table|json]',
    async () => ({ run: async (args) => (await import('./groups.ts')).run(['describe', ...args]) }),
  ),
  lazy(
    'groups reset-offsets',
    "Move an inactive group's committed offsets (replay from a time, skip ahead).",
    '--group G --topic T (--to-earliest | --to-latest | --to-datetime ISO8601 | --to-offset N | --shift-by N) (--dry-run | --execute) [--bootstrap-server H:P]',
    async () => ({ run: async (args) => (await import('./groups.ts')).run(['reset-offsets', ...args]) }),
  ),
  lazy('groups delete', 'Delete an inactive group and its offsets.', '--group G [--bootstrap-server H:P]', async () => ({ run: async (args) => (await import('./groups.ts')).run(['delete', ...args]) })),
  lazy(
    'transactions list',
    'List transactional ids and their states, from every broker.',
    '[--state S ...] [--producer-id N] [--min-duration-ms MS] [--bootstrap-server H:P] [--output table|json]',
    async () => ({ run: async (args) => (await import('./transactions.ts')).run(['list', ...args]) }),
  ),
  lazy(
    'transactions describe',
    'State, producer id and epoch, timeout and partitions of a transactional id.',
    '--transactional-id ID [--bootstrap-server H:P] [--output table|json]',
    async () => ({ run: async (args) => (await import('./transactions.ts')).run(['describe', ...args]) }),
  ),
  lazy(
    'transactions describe-producers',
    'Producers a partition leader knows, with the start offset of their open transaction.',
    '--topic T --partition N [--bootstrap-server H:P] [--output table|json]',
    async () => ({ run: async (args) => (await import('./transactions.ts')).run(['describe-producers', ...args]) }),
  ),
  lazy(
    'transactions abort',
    'Abort a hanging transaction on one partition by writing an abort marker (kafka-transactions abort).',
    '--topic T --partition N (--start-offset N | --producer-id N --producer-epoch N [--coordinator-epoch N]) [--bootstrap-server H:P]',
    async () => ({ run: async (args) => (await import('./transactions.ts')).run(['abort', ...args]) }),
  ),
  lazy(
    'users create',
    'Create or replace SCRAM credentials of a user (the password is salted and hashed before it leaves).',
    '--user U (--password-stdin | --password P) [--mechanism SCRAM-SHA-256,SCRAM-SHA-512] [--iterations 4096] [--command-config FILE] [--bootstrap-server H:P]',
    async () => ({ run: async (args) => (await import('./users.ts')).run(['create', ...args]) }),
  ),
  lazy('users delete', "Delete a user's SCRAM credentials.", '--user U [--mechanism M] [--command-config FILE] [--bootstrap-server H:P]', async () => ({ run: async (args) => (await import('./users.ts')).run(['delete', ...args]) })),
  lazy('users list', 'List users with SCRAM credentials (mechanism and iterations, never keys).', '[--command-config FILE] [--bootstrap-server H:P] [--output table|json]', async () => ({ run: async (args) => (await import('./users.ts')).run(['list', ...args]) })),
  lazy(
    'acls add',
    'Allow (or deny) a principal operations on a topic, group, the cluster or a transactional id.',
    '--principal User:U --operation OP[,OP] (--topic T | --group G | --cluster | --transactional-id ID) [--resource-pattern-type literal|prefixed] [--permission allow|deny] [--host H] [--command-config FILE] [--bootstrap-server H:P]',
    async () => ({ run: async (args) => (await import('./acls.ts')).run(['add', ...args]) }),
  ),
  lazy(
    'acls list',
    'List ACLs, optionally only those of a resource or principal.',
    '[--principal P] [--topic T | --group G | --cluster | --transactional-id ID] [--resource-pattern-type any|match|literal|prefixed] [--command-config FILE] [--bootstrap-server H:P] [--output table|json]',
    async () => ({ run: async (args) => (await import('./acls.ts')).run(['list', ...args]) }),
  ),
  lazy(
    'acls remove',
    'Remove the ACLs that match the given resource, principal, operation and permission.',
    '[--principal P] [--operation OP] [--permission allow|deny] [--topic T | --group G | --cluster | --transactional-id ID] [--resource-pattern-type ...] [--command-config FILE] [--bootstrap-server H:P]',
    async () => ({ run: async (args) => (await import('./acls.ts')).run(['remove', ...args]) }),
  ),
  lazy(
    'quotas set',
    'Set byte-rate or request quotas of a user, a client id, or a (user, client id) pair; brokers throttle clients over them.',
    '(--user U | --user-default) and/or (--client-id C | --client-id-default) [--producer-byte-rate B/s] [--consumer-byte-rate B/s] [--request-percentage P] [--command-config FILE] [--bootstrap-server H:P]',
    async () => ({ run: async (args) => (await import('./quotas.ts')).run(['set', ...args]) }),
  ),
  lazy('quotas remove', 'Remove quotas of an entity (all of them unless --quota names some).', '(--user U | --user-default) and/or (--client-id C | --client-id-default) [--quota producer_byte_rate ...] [--command-config FILE] [--bootstrap-server H:P]', async () => ({ run: async (args) => (await import('./quotas.ts')).run(['remove', ...args]) })),
  lazy('quotas list', 'List client quotas, optionally of one user or client id.', '[--user U | --user-default] [--client-id C | --client-id-default] [--command-config FILE] [--bootstrap-server H:P] [--output table|json]', async () => ({ run: async (args) => (await import('./quotas.ts')).run(['list', ...args]) })),
  lazy(
    'produce',
    'Produce one record per stdin line (acks=all, idempotent by default).',
    '--topic T [--key-separator SEP] [--header k=v ...] [--acks all|1|0] [--compression none|gzip|snappy|lz4] [--bootstrap-server H:P]',
    () => import('./produce.ts'),
  ),
  lazy(
    'consume',
    'Print records of a topic.',
    '--topic T [--from-beginning | --offset N --partition P | --from-time ISO8601] [--partition P] [--max-messages N] [--group G] [--output text|json] [--print-key] [--bootstrap-server H:P]',
    () => import('./consume.ts'),
  ),
  lazy(
    'dump-log',
    'Print the batches of a .log segment (or the entries of a .index/.timeindex), like kafka-dump-log.',
    '--files FILE[,FILE] [--print-data-log] [--output text|json]',
    () => import('./dump-log.ts'),
  ),
  lazy(
    'tracking start',
    'Run the tracking collector: GET /i pixel, POST /v1/batch, GET /t.js tracker, /demo, /health, /metrics.',
    '[--port 8080] [--host ADDR] [--bootstrap-server H:P] [--spool-dir DIR] [--schemas-file FILE] [--config FILE]',
    () => import('./tracking-start.ts'),
  ),
  lazy(
    'cdc start',
    'Capture MySQL/MariaDB changes from the binlog into <server>.<db>.<table> topics (Debezium envelopes).',
    '--mysql mysql://USER:PASS@HOST:PORT --server-name NAME [--server-id N] [--snapshot-mode initial|when_needed|never|schema_only] [--status-port 8083] [--bootstrap-server H:P] [--config FILE]',
    () => import('./cdc-start.ts'),
  ),
  lazy('cdc status', "A running connector's binlog position, lag, rows/s and snapshot progress.", '[--status-url http://127.0.0.1:8083] [--output table|json]', () => import('./cdc-status.ts')),
  lazy(
    'crawl worker',
    'Run a crawl worker: fetches pages of every running crawl into crawl.pages / crawl.items / crawl.errors.',
    '--redis redis://HOST:PORT [--concurrency N] [--bootstrap-server H:P] [--metrics-port P] [--extractor MODULE] [--chromium PATH] [--no-render] [--lock-duration-ms N] [--config FILE]',
    async () => ({ run: async (args) => (await import('./crawl.ts')).run(['worker', ...args]) }),
  ),
  lazy(
    'crawl start',
    'Start a crawl (prints its id).',
    '--redis URL --seed URL [--seed URL ...] [--allow-domain D ...] [--include RE ...] [--exclude RE ...] [--max-depth N] [--max-pages N] [--max-bytes N] [--max-body-bytes N] [--delay-ms N] [--host-concurrency N] [--timeout-ms N] [--max-attempts N] [--retry-delay-ms N] [--render never|auto|always] [--render-js RE ...] [--user-agent UA] [--ignore-robots] [--allow-private-addresses] [--id ID] [--output table|json]',
    async () => ({ run: async (args) => (await import('./crawl.ts')).run(['start', ...args]) }),
  ),
  lazy('crawl status', 'Queued / active / done / failed and pages/s per crawl.', '[--redis URL] [--crawl ID] [--output table|json]', async () => ({ run: async (args) => (await import('./crawl.ts')).run(['status', ...args]) })),
  lazy('crawl pause', 'Pause a crawl (pages in hand finish).', '--crawl ID [--redis URL]', async () => ({ run: async (args) => (await import('./crawl.ts')).run(['pause', ...args]) })),
  lazy('crawl resume', 'Resume a paused crawl.', '--crawl ID [--redis URL]', async () => ({ run: async (args) => (await import('./crawl.ts')).run(['resume', ...args]) })),
  lazy('crawl cancel', 'Cancel a crawl: queued URLs are dropped.', '--crawl ID [--redis URL]', async () => ({ run: async (args) => (await import('./crawl.ts')).run(['cancel', ...args]) })),
  lazy(
    'sink start',
    'Land topics as Parquet files, partitioned by dt/hour, exactly once (local directory or WebHDFS).',
    '--topics T1,T2 [--root file:///DIR | webhdfs://HOST:PORT[,HOST:PORT]/DIR] [--group G] [--instance-id ID] [--flush-size N] [--rotate-interval-ms MS] [--timestamp-field PATH] [--timezone TZ] [--compression SNAPPY|GZIP|UNCOMPRESSED] [--schemas-file FILE] [--metrics-port 8084] [--bootstrap-server H:P] [--config FILE]',
    () => import('./sink-start.ts'),
  ),
  lazy('sink hive-ddl', 'Print CREATE EXTERNAL TABLE and ADD PARTITION statements for every landed topic.', '[--root file:///DIR | webhdfs://...] [--topics T1,T2] [--location-prefix URI] [--config FILE]', () => import('./sink-hive-ddl.ts')),
  lazy('query', 'Run SQL over landed Parquet with DuckDB; each landed topic is a view named after it.', '"SQL" [--root file:///DIR | webhdfs://...] [--output table|json] [--config FILE]', () => import('./query.ts')),
  lazy(
    'up',
    'Start the all-in-one platform: broker + console, tracking collector and demo page, sink (data under ./data); CDC and a crawl worker when a MySQL / Redis URL is given.',
    '[--data-dir DIR] [--mysql mysql://USER:PASS@HOST:PORT] [--redis redis://HOST:PORT] [--config FILE]',
    () => import('./up.ts'),
  ),
];
