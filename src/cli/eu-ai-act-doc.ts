import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';
import { loadApplicability } from '../modules/ai-system/applicability.rules';
import { applicabilityDocument } from '../modules/ai-system/applicability.doc';

/** `npm run docs:eu-ai-act`: writes docs/eu-ai-act.md from seeds/eu-ai-act/applicability.json. */
const file = path.join(projectRoot(), 'docs', 'eu-ai-act.md');
fs.writeFileSync(file, applicabilityDocument(loadApplicability()));
console.info(`[docs] wrote ${path.relative(process.cwd(), file) || file}`);
