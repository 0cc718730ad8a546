/**
 * The async snippet users paste into their pages. It defines `tributary(...)` at once, queueing
 * every call until t.js has loaded and replays them, so nothing tracked early is lost and a slow
 * or blocked collector never delays the page.
 */
export function snippet(scriptUrl: string, init: Record<string, unknown> = {}): string {
  return [
    '<script>',
    "!function(w,d,u){if(w.tributary)return;var t=w.tributary=function(){(t.q=t.q||[]).push(arguments)};",
    "var s=d.createElement('script');s.async=true;s.src=u;(d.head||d.documentElement).appendChild(s)}",
    `(window,document,${JSON.stringify(scriptUrl)});`,
    `tributary('init',${JSON.stringify(init)});`,
    '</script>',
  ].join('');
}
