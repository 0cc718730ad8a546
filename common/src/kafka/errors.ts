/**
 * True when the client gave up only because no broker accepted a connection: every leaf of
 * platformatic's nested MultipleErrors is a network error.
 */
export function isBrokerUnreachable(error: unknown): boolean {
  const leaves: Array<{ code?: unknown }> = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 8 || value === null || typeof value !== 'object') return;
    const nested = (value as { errors?: unknown }).errors;
    if (Array.isArray(nested) && nested.length > 0) nested.forEach((child) => visit(child, depth + 1));
    else leaves.push(value as { code?: unknown });
  };
  visit(error, 0);
  return leaves.length > 0 && leaves.every((leaf) => leaf.code === 'PLT_KFK_NETWORK');
}

/** Replaces an unreachable-broker failure with a message that names the fix; other errors pass through. */
export function withBrokerHint(error: unknown, bootstrapServers: string | string[]): unknown {
  if (!isBrokerUnreachable(error)) return error;
  const where = Array.isArray(bootstrapServers) ? bootstrapServers.join(',') : bootstrapServers;
  return new Error(`no broker answers at ${where}: start one (tributary broker start) or pass --bootstrap-server HOST:PORT`, { cause: error });
}
