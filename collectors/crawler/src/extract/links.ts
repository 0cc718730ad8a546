import { load } from 'cheerio';
import { canonicalizeUrl } from '../url/canonicalize.ts';

export interface ExtractedPage {
  title: string | null;
  text: string;
  links: string[];
  /** True when the page has little text but scripts: a hint that it needs a browser. */
  looksScriptRendered: boolean;
}

const MAX_TEXT_CHARACTERS = 200_000;

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
  $('a[href], area[href]').each((_, element) => {
    const rel = ($(element).attr('rel') ?? '').toLowerCase();
    if (rel.split(/\s+/).includes('nofollow')) return;
    const href = $(element).attr('href')!;
    try {
      links.add(canonicalizeUrl(href, base));
    } catch {
      // mailto:, javascript:, malformed hrefs: not pages to crawl.
    }
  });
  const scripts = $('script').length;
  $('script, style, noscript, template').remove();
  const text = $('body').text().replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT_CHARACTERS);
  const title = $('title').first().text().trim() || null;
  return { title, text, links: [...links], looksScriptRendered: scripts > 0 && text.length < 200 && links.size === 0 };
}
