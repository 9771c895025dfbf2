import type { Zone } from '../providers/index.ts';
import type { Shape } from './request-shape.ts';

/**
 * Step 5's first half: the body that may leave. Toward an external model it is BUILT from the fields the
 * request shape names — a field Yumen does not know (a new API field, a provider extension, something a
 * client hid in a message) is dropped, so a new field cannot silently open a hole. A private model, inside
 * the domain, gets the body as the client sent it. Either way every string of it has been inspected.
 */
export function composeOutbound<T>(body: T, shape: Shape, zone: Zone): { body: T; dropped: string[] } {
  const dropped: string[] = [];
  if (zone !== 'external') return { body, dropped };
  return { body: project(body, shape, '', dropped) as T, dropped };
}

function project(v: unknown, shape: Shape, path: string, dropped: string[]): unknown {
  switch (shape.kind) {
    case 'text':
    case 'value':
    case 'json':
      return v;
    case 'array':
      return Array.isArray(v) ? v.map((x, i) => project(x, shape.of, `${path}/${i}`, dropped)) : v;
    case 'either': {
      const alt = typeof v === 'string' ? shape.string : Array.isArray(v) ? shape.array : v !== null && typeof v === 'object' ? shape.object : undefined;
      return alt ? project(v, alt, path, dropped) : v;
    }
    case 'object': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (Object.hasOwn(shape.fields, k)) out[k] = project(x, shape.fields[k], `${path}/${k}`, dropped);
        else dropped.push(`${path}/${k}`);
      }
      return out;
    }
  }
}
