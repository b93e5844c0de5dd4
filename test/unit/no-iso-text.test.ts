import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/config';
import { SHINGLE, repositoryFiles, shingleHashes } from '../harness/iso-prose';

/**
 * The project ships no ISO text (identifiers and titles are facts; body text is ISO's). Two checks:
 * no file of the repository carries known ISO control prose (by hashed 8-word windows, see
 * test/harness/iso-prose.ts), and the ISO catalogs carry no text beyond identifiers and titles.
 */
const root = projectRoot();
const known = JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'iso-prose-shingles.json'), 'utf8')) as { shingle: number; hashes: string[] };
const hashes = new Set(known.hashes);

describe('no ISO text in the repository', () => {
  it('the hash list is what the scanner computes (same window length, hundreds of windows)', () => {
    expect(known.shingle).toBe(SHINGLE);
    expect(hashes.size).toBeGreaterThan(500);
    // The scanner cuts by words, case and punctuation aside: the same words give the same windows.
    expect([...shingleHashes('One two three, four five SIX seven eight nine')]).toEqual([...shingleHashes('one two three four five six seven eight nine')]);
    expect(shingleHashes('one two three four five six seven').size).toBe(0);
  });

  it('no file carries a window of known ISO control prose', () => {
    const files = repositoryFiles(root);
    expect(files.length).toBeGreaterThan(150);
    expect(files).toContain(path.join('test', 'fixtures', 'oscal', 'hub-sample-catalog.json'));
    const hits = files.filter((f) => f !== path.join('test', 'fixtures', 'iso-prose-shingles.json'))
      .map((f) => [f, [...shingleHashes(fs.readFileSync(path.join(root, f), 'utf8'))].filter((h) => hashes.has(h)).length] as const)
      .filter(([, n]) => n > 0);
    expect(hits).toEqual([]);
  });

  it('the ISO catalogs carry identifiers and titles only', () => {
    for (const file of ['iso-iec-27001-2022.json', 'iso-iec-42001-2023.json']) {
      const catalog = JSON.parse(fs.readFileSync(path.join(root, 'seeds', 'catalogs', file), 'utf8')) as { nodes: { ref: string; text?: string }[] };
      expect([file, catalog.nodes.filter((n) => (n.text ?? '').trim() !== '').map((n) => n.ref)]).toEqual([file, []]);
    }
  });
});
