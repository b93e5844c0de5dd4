import fs from 'node:fs';
import { hubSchema, printHubSchema, SCHEMA_FILE } from '../graphql/schema';

async function main(): Promise<void> {
  const sdl = printHubSchema(await hubSchema());
  const file = SCHEMA_FILE();
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (old !== sdl) {
    fs.writeFileSync(file, sdl);
    console.log('schema.graphql updated');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
