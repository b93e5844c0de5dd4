import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';
import { loadSeedBundle } from '../modules/catalog/catalog.files';
import { README_END, README_START, mappingDocument, readmeWithTable } from '../modules/mapping/mapping.report';

/** `npm run docs:mappings`: writes docs/mappings.md and the reuse table of README.md from seeds/ (no database). */
const bundle = loadSeedBundle();
const doc = path.join(projectRoot(), 'docs', 'mappings.md');
fs.writeFileSync(doc, mappingDocument(bundle));
const readme = path.join(projectRoot(), 'README.md');
const text = fs.readFileSync(readme, 'utf8');
if (!text.includes(README_START) || !text.includes(README_END)) throw new Error(`README.md has no ${README_START} ... ${README_END} block`);
fs.writeFileSync(readme, readmeWithTable(text, bundle));
console.info(`[docs] wrote ${path.relative(process.cwd(), doc) || doc} and the reuse table of README.md`);
