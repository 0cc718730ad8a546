/** Options every command that talks to a broker shares (CONVENTIONS.md: Kafka's own flag name). */
export const clientOptions = {
  'bootstrap-server': { type: 'string', default: process.env.TRIBUTARY_BOOTSTRAP_SERVER ?? '127.0.0.1:9092' },
  output: { type: 'string', default: 'table' },
} as const;


/** Admin commands also take Kafka's --command-config: a YAML file whose `kafka:` section says how to connect securely. */
export const securedClientOptions = {
  ...clientOptions,
  'command-config': { type: 'string' },
} as const;
