import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import {
  FrameworkManifestEntry, FrameworkSeed, MappingManifestEntry, MappingSetSeed, RawCatalog, RawMappingFile,
  SeedDataError, pointsReferenced, transformCatalog, transformMappingFile,
} from './catalog.transform';

export interface SeedBundle {
  frameworks: FrameworkSeed[];
  mappingSets: MappingSetSeed[];
}

export function seedsDir(): string {
  return path.join(projectRoot(), 'seeds');
}

/** Reads seeds/manifest.json and every file it names, and checks that all mapping refs resolve. */
export function loadSeedBundle(dir: string = seedsDir()): SeedBundle {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    frameworks: FrameworkManifestEntry[];
    mappingSets: MappingManifestEntry[];
  };
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

  const catalogs = manifest.frameworks.map((entry) => {
    const content = read(entry.file);
    return { entry, content, raw: JSON.parse(content) as RawCatalog };
  });
  const mappingFiles = manifest.mappingSets.map((entry) => {
    const content = read(entry.file);
    return { entry, content, raw: JSON.parse(content) as RawMappingFile };
  });

  const catalogByKey = new Map(catalogs.map((c) => [c.raw.framework.key, c]));
  const referenced = new Map<string, Set<string>>();
  for (const m of mappingFiles) {
    for (const [key, side] of [[m.entry.source, 'source'], [m.entry.target, 'target']] as const) {
      if (!catalogByKey.has(key)) throw new SeedDataError(`${m.entry.key}: unknown framework "${key}"`);
      const refs = referenced.get(key) ?? new Set<string>();
      for (const row of m.raw.mappings) refs.add(row[side]);
      referenced.set(key, refs);
    }
  }

  const frameworks = catalogs.map((c) => {
    const extra = pointsReferenced(c.raw, referenced.get(c.raw.framework.key) ?? []);
    return transformCatalog(c.raw, c.entry, c.content, extra);
  });
  const mappingSets = mappingFiles.map((m) => transformMappingFile(m.raw, m.entry, m.content));
  return { frameworks, mappingSets };
}
