/**
 * What the console must never display: credentials in URLs and values of secret-looking keys.
 * Everything a collector returns passes through here before it reaches a browser.
 */

export const REDACTED = '[redacted]';

const SECRET_KEY = /pass(word|wd|phrase)?$|^pwd$|secret|token|api[-_.]?key|credential|authorization|private[-_.]?key|^auth$|cookie|session[-_.]?id/i;
/** scheme://user[:password]@ — the userinfo part of any URL inside a string. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Removes user:password@ from every URL in the text. */
export function stripUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1');
}

/** A deep copy with secret-looking keys' values replaced and URL credentials removed from strings. */
export function redactJson(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === 'string') return stripUrlCredentials(value);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = isSecretKey(key) ? REDACTED : redactJson(item, depth + 1);
    return out;
  }
  return value;
}

const INLINE_SECRET = /\b([\w.-]*(?:password|passwd|secret|token|api[-_]?key)[\w.-]*)(["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi;

/** For free text: URL credentials and key=value / key: value pairs of secret-looking keys. */
export function redactText(text: string): string {
  return stripUrlCredentials(text).replace(INLINE_SECRET, `$1$2${REDACTED}`);
}
