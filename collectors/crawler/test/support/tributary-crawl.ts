/**
 * `tributary crawl ...` for tests, run as its own process: the same module the CLI dispatches
 * to, with main's exit codes (2 for usage and config errors). Once cli/src/commands/index.ts
 * lists the crawl commands, `node cli/bin/tributary.mjs crawl ...` is the same thing.
 */
import { ConfigError } from '@tributary/common';
import { UsageError } from '../../../../cli/src/command.ts';
import { run } from '../../../../cli/src/commands/crawl.ts';

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`tributary: ${(error as Error).message}\n`);
  const parseError = (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ?? false;
  process.exitCode = error instanceof UsageError || error instanceof ConfigError || parseError ? 2 : 1;
}
