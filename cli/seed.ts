import type { Db } from 'mongodb';
import { compile } from '../journey/index.ts';
import { loadBuiltinJourneys, loadBuiltinTemplates } from '../store/builtins.ts';
import type { WorkspaceLanguage } from '../store/builtins.ts';
import { createJourney, getJourney, publishVersion } from '../store/journeys.ts';
import { seedDemo } from '../store/seed.ts';
import { ensureBuiltinSegments } from '../store/segments.ts';
import { getTemplate, putTemplate, templateCatalogue } from '../store/templates.ts';

/**
 * What a first `npm start` finds in its database: the built-in message templates, segments
 * and journeys (welcome, activation, win-back, birthday care — published as version 1), and a
 * few hundred demo customers with their orders. Idempotent: anything already there (an edited
 * template, a journey the marketer changed, existing customers) is left alone. `language`: the
 * workspace's (`WAYMARK_LANGUAGE`); `zh-CN` seeds the built-ins in 简体中文.
 */
export async function seedOnFirstStart(db: Db, log: (line: string) => void, now = new Date(), language: WorkspaceLanguage = 'en'): Promise<void> {
  let templates = 0;
  for (const template of loadBuiltinTemplates(language)) {
    if ((await getTemplate(db, template.id)) !== null) continue;
    await putTemplate(db, template, now);
    templates += 1;
  }
  const segments = await ensureBuiltinSegments(db, now);
  const catalogue = await templateCatalogue(db);
  let journeys = 0;
  for (const graph of loadBuiltinJourneys(language)) {
    if ((await getJourney(db, graph.id)) !== null) continue;
    const compiled = compile(graph, { templates: catalogue });
    if (!compiled.ok) {
      const first = compiled.errors[0];
      throw new Error(`built-in journey ${graph.id} does not compile: ${first?.code} at ${first?.nodeId}: ${first?.message}`);
    }
    await createJourney(db, graph, now);
    await publishVersion(db, { journeyId: graph.id, definition: compiled.value, graph, note: 'Built-in journey', publishedBy: 'waymark', expectedVersion: 0 }, now);
    journeys += 1;
  }
  const demo = await seedDemo(db, { now });
  if (templates + segments + journeys + demo.customers > 0) {
    log(`seeded ${templates} templates, ${segments} segments, ${journeys} journeys, ${demo.customers} demo customers with ${demo.events} events`);
  }
}
