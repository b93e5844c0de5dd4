import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import {
  FrameworkManifestEntry, FrameworkSeed, MappingManifestEntry, MappingSetSeed, RawCatalog, RawMappingFile, RawNode,
  SeedDataError, pointsReferenced, transformCatalog, transformMappingFile,
  HubFileChanges,
  applyHubChanges,
} from './catalog.transform';
import { AmendmentEffects, ApplicabilityTable, CatalogAlignment, alignCatalog } from './catalog.alignment';

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
    const raw = JSON.parse(content) as RawCatalog;
    if (!entry.applicability) return { entry, content, raw, added: [] as RawNode[], companions: [] as string[], assessableRefs: undefined };
    const files = entry.applicability;
    const companions = [read(files.table), read(files.amendmentEffects), read(files.alignment)];
    const [table, effects, alignment] = companions.map((c) => JSON.parse(c)) as [ApplicabilityTable, AmendmentEffects, CatalogAlignment];
    const aligned = alignCatalog(raw, table, effects, alignment);
    return { entry, content, raw: aligned.catalog, added: aligned.added, companions, assessableRefs: aligned.assessableRefs };
  });
  const mappingFiles = manifest.mappingSets.map((entry) => {
    const own = read(entry.file);
    const raw = JSON.parse(own) as RawMappingFile;
    if (!entry.changes) return { entry, content: own, raw };
    // The hub's changes enter the content hash: editing them reseeds the set.
    const changes = read(entry.changes);
    const forFile = (JSON.parse(changes) as { files: Record<string, HubFileChanges> }).files[path.basename(entry.file)];
    return { entry, content: own + changes, raw: forFile ? applyHubChanges(raw, forFile, entry.key) : raw };
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
    // Points resolve against the added nodes too (a mapping may name a point of a paragraph the table adds).
    const points = pointsReferenced({ ...c.raw, nodes: [...c.raw.nodes, ...c.added] }, referenced.get(c.raw.framework.key) ?? []);
    return transformCatalog(c.raw, c.entry, c.content, [...c.added, ...points], { assessableRefs: c.assessableRefs, companions: c.companions });
  });
  const mappingSets = mappingFiles.map((m) => transformMappingFile(m.raw, m.entry, m.content));
  return { frameworks, mappingSets };
}
