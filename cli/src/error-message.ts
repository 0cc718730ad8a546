/**
 * The message to show for a failed command. Kafka clients wrap the broker's explanation
 * (errorMessage fields of the response) inside generic errors; surface it, since it names the fix.
 */
export function describeError(error: unknown): string {
  const details = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.errorMessage === 'string' && record.errorMessage.length > 0) details.add(record.errorMessage);
    for (const key of ['errors', 'response', 'responses', 'topics', 'results', 'cause']) {
      const child = record[key];
      if (Array.isArray(child)) child.forEach((item) => visit(item, depth + 1));
      else visit(child, depth + 1);
    }
  };
  visit(error, 0);
  const message = error instanceof Error ? error.message : String(error);
  return details.size > 0 ? `${message}: ${[...details].join('; ')}` : message;
}
