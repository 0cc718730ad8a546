/// <reference lib="dom" />

/** Calls `onRoute` after every single-page-app navigation that changes path or query. */
export function watchRoutes(onRoute: () => void): void {
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      onRoute();
      return result;
    };
  }
  window.addEventListener('popstate', onRoute);
}

const CLICKABLE = 'a,button,[data-track],input[type=submit],input[type=button],[role=button]';

/** Clicks on links, buttons and elements marked data-track; the text is cut short and no input values are read. */
export function watchClicks(onClick: (properties: Record<string, unknown>) => void): void {
  document.addEventListener(
    'click',
    (event) => {
      const target = event.target instanceof Element ? event.target.closest(CLICKABLE) : null;
      if (!target) return;
      const properties: Record<string, unknown> = { tag: target.tagName.toLowerCase(), text: (target.textContent ?? '').trim().slice(0, 100) };
      if (target.id) properties.id = target.id;
      const label = target.getAttribute('data-track');
      if (label) properties.label = label;
      if (target instanceof HTMLAnchorElement && target.href) properties.href = target.href;
      onClick(properties);
    },
    true,
  );
}

/** Form submissions, described by the form only: field values are never collected. */
export function watchForms(onSubmit: (properties: Record<string, unknown>) => void): void {
  document.addEventListener(
    'submit',
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      onSubmit({ id: form.id || undefined, name: form.getAttribute('name') || undefined, action: form.action, method: form.method });
    },
    true,
  );
}
