/// <reference lib="webworker" />
// Runs the core's simulator off the main thread, so the canvas stays responsive.
import '../zodConfig.ts';
import { compile } from '../../../journey/compile/compile.ts';
import { generateCohort } from '../../../journey/simulate/cohort.ts';
import { simulate } from '../../../journey/simulate/simulate.ts';
import type { ForecastRequest, ForecastResponse } from './forecast.ts';

self.onmessage = (event: MessageEvent<ForecastRequest>) => {
  const { graph, customers, days, seed, start } = event.data;
  let response: ForecastResponse;
  try {
    const compiled = compile(graph);
    if (!compiled.ok) {
      response = { ok: false, message: compiled.errors.map((e) => e.message).join(' ') };
    } else {
      const cohort = generateCohort({ size: customers, seed, start });
      const { timelines: _timelines, ...report } = simulate(compiled.value, cohort, { days, seed, start });
      response = { ok: true, report };
    }
  } catch (error) {
    response = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  self.postMessage(response);
};
