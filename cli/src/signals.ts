/** Runs `stop` once on the first SIGTERM or SIGINT; a second signal exits at once. */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(1);
      stopping = true;
      stop(signal).then(resolve, (error) => {
        process.stderr.write(`tributary: shutdown failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}
