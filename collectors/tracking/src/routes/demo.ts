import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { snippet } from '../snippet.ts';

const page = (snippetHtml: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tributary tracking demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
${snippetHtml}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}button{margin:.25rem}</style>
</head>
<body>
<h1>Tributary tracking demo</h1>
<p>This page embeds the tracker. Every button sends an event; watch them arrive with
<code>tributary consume --topic tracking.events --from-beginning</code>.</p>
<p>Route: <strong id="route"></strong></p>
<button id="home">Home (SPA route)</button>
<button id="pricing">Pricing (SPA route)</button>
<button id="signup" onclick="tributary('track','signup',{plan:'pro'})">Sign up (custom event)</button>
<button id="login" onclick="tributary('identify','demo-user',{plan:'pro'})">Log in (identify)</button>
<form id="newsletter" onsubmit="event.preventDefault()"><input name="email" placeholder="e-mail"> <button>Subscribe (form submit)</button></form>
<script>
function show(){document.getElementById('route').textContent=location.pathname}
document.getElementById('home').onclick=function(){history.pushState({},'', '/demo');show()};
document.getElementById('pricing').onclick=function(){history.pushState({},'', '/demo/pricing');show()};
show();
</script>
</body>
</html>
`;

/** GET /demo: a page embedding the snippet, with click and form tracking switched on. */
export const demoRoute: FastifyPluginAsync = async (app) => {
  const html = page(snippet('/t.js', { collector: '', trackClicks: true, trackForms: true }));
  const send = async (_request: unknown, reply: FastifyReply) => reply.header('content-type', 'text/html; charset=utf-8').send(html);
  app.get('/demo', { config: { rateLimit: false } }, send);
  app.get('/demo/*', { config: { rateLimit: false } }, send);
};
