/** A YAML/JSON mapping: a plain object, not null and not an array. Config validators ask this of every section. */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
