/** Short property and option ids, unique within their data source. */
import { randomBase62 } from '../../lib/crypto.ts';

/** A 4-character property id not in `taken` (the title property's id is always "title"). */
export function newPropertyId(taken: ReadonlySet<string>): string {
  for (;;) {
    const id = randomBase62(4);
    if (!taken.has(id) && id !== 'title') return id;
  }
}

/** Option ids look like Notion's: short, random, unique within the property. */
export function newOptionId(taken: ReadonlySet<string>): string {
  for (;;) {
    const id = randomBase62(4);
    if (!taken.has(id)) return id;
  }
}
