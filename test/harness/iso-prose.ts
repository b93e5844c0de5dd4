import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Finds known ISO prose in text without keeping the prose: the text is cut into overlapping windows of
 * SHINGLE words (lower case, letters and digits only), and each window's hash is compared with the hashes
 * in test/fixtures/iso-prose-shingles.json. Eight words are long enough that a hit is a copied sentence,
 * not a shared phrase such as "information security policy".
 */
export const SHINGLE = 8;

export function shingleHashes(text: string): Set<string> {
  const words = text.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019]/g, "'").split(/[^\p{L}\p{N}']+/u).filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i + SHINGLE <= words.length; i++) out.add(createHash('sha256').update(words.slice(i, i + SHINGLE).join(' ')).digest('hex').slice(0, 16));
  return out;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'coverage']);
const TEXT = /\.(ts|js|json|md|txt|csv|graphql|yml|yaml|sh|sql|html|css)$/i;

/** Every text file of the repository, by path relative to root. */
export function repositoryFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.pglite') && !(dir === root && e.name === '.data')) walk(path.join(dir, e.name));
      } else if (TEXT.test(e.name) || (dir === path.join(root, '.ci'))) {
        out.push(path.relative(root, path.join(dir, e.name)));
      }
    }
  };
  walk(root);
  return out.sort();
}
