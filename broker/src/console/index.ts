export { consolePlugin } from './plugin.ts';
export type { ConsoleOptions, ConsoleSources } from './types.ts';
