import type { DocumentStore } from '../../config/document-store.js';
import type { Catalog } from '../../decide/catalog.js';
import type { CompiledCatalog } from '../../decide/catalog-compile.js';
import { catalogKind } from '../../decide/kinds.js';
import { TactError } from '../../errors/tact-error.js';

/**
 * The catalog versions logged decisions were made under, compiled once each: readers of the log
 * replay a decision under its own `catalogVersion` (its placement's safe default, its actions'
 * variants), not the catalog in force now. Version 0 is the empty catalog; a version not stored is
 * a 404.
 *
 * @example
 * const catalogAt = catalogVersions(store.documents);
 * (await catalogAt(record.catalogVersion)).placements.get('home')?.safeDefault; // 'newsletter'
 */
export function catalogVersions(documents: DocumentStore): (version: number) => Promise<CompiledCatalog> {
  const compiled = new Map<number, Promise<CompiledCatalog>>();
  return (v) => compiled.get(v) ?? compiled.set(v, loadCatalog(documents, v)).get(v)!;
}

async function loadCatalog(documents: DocumentStore, version: number): Promise<CompiledCatalog> {
  if (version === 0) return catalogKind.compile(catalogKind.empty);
  const doc = await documents.get<Catalog>('catalog', version);
  if (!doc) throw new TactError('not_found', { what: 'catalog version', id: String(version) });
  return catalogKind.compile(doc.body);
}
