import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';
import { applicabilityDocument } from '../modules/ai-system/applicability.doc';
import { amendedRecords, loadEuAiActRules } from '../modules/ai-system/applicability.versions';
import { loadFactValues } from '../modules/ai-system/eu-facts';

/** `npm run docs:eu-ai-act`: writes docs/eu-ai-act.md from seeds/eu-ai-act/ (the table, the amendment's effects, the accepted values). */
const file = path.join(projectRoot(), 'docs', 'eu-ai-act.md');
const { data, effects, corrections } = loadEuAiActRules();
fs.writeFileSync(file, applicabilityDocument(data, { id: effects.amendment, records: amendedRecords(data, effects) }, loadFactValues(), corrections));
console.info(`[docs] wrote ${path.relative(process.cwd(), file) || file}`);
