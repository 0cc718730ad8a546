import { load } from 'cheerio';
import { canonicalizeUrl, InvalidUrlError } from '../url/canonicalize.ts';

export interface ExtractedPage {
  title: string | null;
  text: string;
  links: string[];
  /** hrefs meant as web links that are not usable URLs, with the reason (at most MAX_INVALID_LINKS). */
  invalidLinks: Array<{ href: string; reason: string }>;
  /** True when the page has little text but scripts: a hint that it needs a browser. */
  looksScriptRendered: boolean;
}

const MAX_TEXT_CHARACTERS = 100_000;
const MAX_LINKS = 5000;
const MAX_INVALID_LINKS = 20;
/** Links that are fine but not for a web crawler: not worth an error record. */
const OTHER_SCHEME = /^\s*(mailto|javascript|tel|data|sms|ftp|file|about|blob):/i;

/** Title, visible text and canonical outlinks of an HTML page; `<base href>` and rel=nofollow respected. */
export function extractPage(html: string, pageUrl: string): ExtractedPage {
  const $ = load(html);
  const baseHref = $('base[href]').first().attr('href');
  let base = pageUrl;
  if (baseHref) {
    try {
      base = new URL(baseHref, pageUrl).toString();
    } catch {
      base = pageUrl;
    }
  }
  const links = new Set<string>();
  const invalidLinks: ExtractedPage['invalidLinks'] = [];
  $('a[href], area[href]').each((_, element) => {
    const rel = ($(element).attr('rel') ?? '').toLowerCase();
    if (rel.split(/\s+/).includes('nofollow')) return;
    const href = $(element).attr('href')!;
    if (OTHER_SCHEME.test(href) || links.size >= MAX_LINKS) return;
    try {
      links.add(canonicalizeUrl(href, base));
    } catch (error) {
      if (invalidLinks.length < MAX_INVALID_LINKS && error instanceof InvalidUrlError) invalidLinks.push({ href: href.slice(0, 300), reason: error.message });
    }
  });
  const scripts = $('script').length;
  $('script, style, noscript, template').remove();
  const text = $('body').text().replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT_CHARACTERS);
  const title = $('title').first().text().trim() || null;
  return { title, text, links: [...links], invalidLinks, looksScriptRendered: scripts > 0 && text.length < 200 && links.size === 0 };
}
