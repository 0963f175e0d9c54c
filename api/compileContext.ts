import type { Db } from 'mongodb';
import type { CompileContext } from '../journey/compile/errors.ts';
import { builtinSegments } from '../journey/lifecycle/segment.ts';
import { listSegments } from '../store/segments.ts';
import { templateCatalogue } from '../store/templates.ts';

/**
 * What the server compiles journeys against: the stored templates and segments. Event types
 * are left open (journeys may wait for events nobody has sent yet).
 */
export async function compileContext(db: Db): Promise<CompileContext> {
  const [templates, segments] = await Promise.all([templateCatalogue(db), listSegments(db)]);
  return { templates, segments: [...new Set([...builtinSegments.map((s) => s.id), ...segments.map((s) => s.id)])] };
}
