/** A user extractor for tests: one item per page, its title and how many links it has. */
export default function extract(page: { url: string; title: string | null; outlinks: string[] }) {
  return [{ title: page.title, links: page.outlinks.length }];
}
