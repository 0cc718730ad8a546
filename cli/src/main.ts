import { ConfigError } from '@tributary/common';
import { fail, UsageError, type Command } from './command.ts';
import { commands } from './commands/index.ts';
import { describeError } from './error-message.ts';

function helpText(list: Command[]): string {
  const width = Math.max(...list.map((command) => command.name.length));
  return [
    'usage: tributary <command> [options]',
    '',
    'Commands:',
    ...list.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    "Run 'tributary <command> --help' for a command's options.",
  ].join('\n');
}

/** Finds the longest command name that prefixes the arguments (commands may be two words). */
function resolve(args: string[]): { command: Command; rest: string[] } | null {
  for (const words of [2, 1]) {
    const name = args.slice(0, words).join(' ');
    const command = commands.find((candidate) => candidate.name === name);
    if (command) return { command, rest: args.slice(words) };
  }
  return null;
}

export async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    process.stdout.write(helpText(commands) + '\n');
    return args.length === 0 ? 2 : 0;
  }
  const found = resolve(args);
  if (!found) {
    const group = commands.filter((command) => command.name.startsWith(`${args[0]} `));
    if (group.length > 0 && (args.length === 1 || args[1] === '--help')) {
      process.stdout.write(helpText(group) + '\n');
      return args.length === 1 ? 2 : 0;
    }
    fail(`unknown command '${args.slice(0, 2).join(' ')}'; run 'tributary --help' for the list`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    process.stdout.write(`usage: tributary ${found.command.name} ${found.command.usage}\n\n${found.command.summary}\n`);
    return 0;
  }
  try {
    return await found.command.run(found.rest);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      fail(error.message);
      return 2;
    }
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      fail(`${error.message}; run 'tributary ${found.command.name} --help'`);
      return 2;
    }
    fail(describeError(error));
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
