import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalizeUrl, InvalidUrlError } from '../src/url/canonicalize.ts';
import { isBlockedAddress } from '../src/url/ssrf-guard.ts';
import { extractPage } from '../src/extract/links.ts';

test('canonical URLs: case, default ports, fragments, sorted query, tracking parameters', () => {
  assert.equal(canonicalizeUrl('HTTP://Example.COM:80/a/./b/../c?b=2&a=1&utm_source=x#frag'), 'http://example.com/a/c?a=1&b=2');
  assert.equal(canonicalizeUrl('https://example.com:443/?gclid=1'), 'https://example.com/');
  assert.equal(canonicalizeUrl('https://example.com:8443/x'), 'https://example.com:8443/x');
  assert.equal(canonicalizeUrl('../up?z=1', 'http://h.test/a/b/c'), 'http://h.test/a/up?z=1');
  assert.equal(canonicalizeUrl('http://user:pw@h.test./p'), 'http://h.test/p');
});

test('URLs a crawler cannot fetch are rejected with a reason', () => {
  for (const bad of ['', 'mailto:a@b.c', 'javascript:void(0)', 'http://', 'ftp://h/x', 'http://[::1', 'x'.repeat(9000)]) {
    assert.throws(() => canonicalizeUrl(bad), InvalidUrlError, bad.slice(0, 20));
  }
});

test('SSRF guard blocks private, loopback, link-local and mapped addresses', () => {
  for (const blocked of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1']) {
    assert.equal(isBlockedAddress(blocked), true, blocked);
  }
  for (const allowed of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '1.1.1.1']) {
    assert.equal(isBlockedAddress(allowed), false, allowed);
  }
  assert.equal(isBlockedAddress('not-an-ip'), true);
});

test('links are extracted canonical, relative to <base>, without nofollow or non-http links', () => {
  const page = extractPage(
    `<html><head><title> Hello </title><base href="/dir/"></head><body>
      <a href="a.html#x">a</a><a href="/b?utm_medium=1">b</a><a rel="nofollow" href="/c">c</a>
      <a href="mailto:x@y.z">m</a><a href="http://other.test/">o</a><script>var x = 1</script> Some text
    </body></html>`,
    'http://site.test/page',
  );
  assert.equal(page.title, 'Hello');
  assert.deepEqual(page.links.sort(), ['http://other.test/', 'http://site.test/b', 'http://site.test/dir/a.html']);
  assert.match(page.text, /Some text/);
  assert.doesNotMatch(page.text, /var x/);
});
