/// <reference lib="dom" />
const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'];

/** Where and on what the event happened; `referrer` is the previous route for SPA navigations. */
export function pageContext(referrer: string): Record<string, unknown> {
  const params = new URLSearchParams(location.search);
  const utm: Record<string, string> = {};
  for (const key of UTM_KEYS) {
    const value = params.get(key);
    if (value !== null) utm[key.slice(4)] = value;
  }
  let timezone = '';
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    timezone = '';
  }
  return {
    page: { url: location.href, path: location.pathname, search: location.search, referrer, title: document.title },
    utm,
    screen: { width: screen.width, height: screen.height },
    viewport: { width: window.innerWidth, height: window.innerHeight },
    locale: navigator.language,
    timezone,
  };
}
