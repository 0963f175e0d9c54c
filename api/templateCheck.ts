import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import type { MessageTemplate } from '../journey/template.ts';
import type { FieldError } from './wire/common.ts';
import { ProblemError } from './problem.ts';

/** Where the lexer stopped when a parse failed (Handlebars' Jison parser keeps it; 0-based column). */
function lexerPosition(): { line: number; column: number } | null {
  const parser: unknown = Reflect.get(Handlebars, 'Parser');
  const lexer: unknown = typeof parser === 'object' && parser !== null ? Reflect.get(parser, 'lexer') : undefined;
  const loc: unknown = typeof lexer === 'object' && lexer !== null ? Reflect.get(lexer, 'yylloc') : undefined;
  if (typeof loc !== 'object' || loc === null) return null;
  const line: unknown = Reflect.get(loc, 'first_line');
  const column: unknown = Reflect.get(loc, 'first_column');
  return typeof line === 'number' && typeof column === 'number' ? { line, column: column + 1 } : null;
}

/**
 * The syntax error of one Handlebars source with its line and column (1-based), or null. Block
 * mismatches (`{{#each}}…{{/if}}`) carry their own position; other parse errors take the
 * lexer's.
 *
 * @example handlebarsError('Hi {{customer.name}') // { line: 1, column: 19, message: 'Expecting …, got INVALID' }
 */
export function handlebarsError(source: string): { line: number; column: number; message: string } | null {
  try {
    Handlebars.parse(source);
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line: unknown = error instanceof Error ? Reflect.get(error, 'lineNumber') : undefined;
    const column: unknown = error instanceof Error ? Reflect.get(error, 'column') : undefined;
    if (typeof line === 'number' && typeof column === 'number') {
      return { line, column: column + 1, message: message.replace(/ - \d+:\d+$/, '') };
    }
    const at = lexerPosition() ?? { line: 1, column: 1 };
    // "Parse error on line 2:\n<excerpt>\n---^\nExpecting …": keep the last line, the reason.
    return { ...at, message: message.split('\n').at(-1) ?? message };
  }
}

const parts = ['subject', 'html', 'text', 'body', 'mjml'] as const;

/** Every Handlebars syntax error of a template, per locale and part, with `path` under `prefix`. */
export function templateErrors(template: MessageTemplate, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [locale, version] of Object.entries(template.locales)) {
    for (const part of parts) {
      const source = version[part];
      const found = source === undefined ? null : handlebarsError(source);
      if (found !== null) {
        errors.push({ path: `${prefix}.locales.${locale}.${part}`, message: `line ${found.line}, column ${found.column}: ${found.message}`, code: 'template-syntax', line: found.line, column: found.column });
      }
    }
  }
  return errors;
}

/** Refuses (422, every error with its position) a template whose Handlebars does not parse. */
export function assertTemplateParses(template: MessageTemplate, prefix: string): void {
  const errors = templateErrors(template, prefix);
  const first = errors[0];
  if (first !== undefined) {
    throw new ProblemError(422, 'template-error', 'The template does not parse', `${first.path}: ${first.message}`, errors);
  }
}

/**
 * Compiles each email version's MJML source (when it has one) into its HTML part, strictly: an
 * unknown tag or a tag in the wrong place is a 422 naming the version and the line. Handlebars in
 * MJML text and attributes passes through to the HTML, which sends render as usual.
 */
export async function withCompiledMjml<T extends MessageTemplate>(template: T, prefix: string): Promise<T> {
  if (template.channel !== 'email' || Object.values(template.locales).every((v) => v.mjml === undefined)) return template;
  const errors: FieldError[] = [];
  const locales: Record<string, (typeof template.locales)[string]> = {};
  for (const [locale, version] of Object.entries(template.locales)) {
    if (version.mjml === undefined) {
      locales[locale] = version;
      continue;
    }
    try {
      // No web fonts: MJML would link Google Fonts into every email (a request per open, and
      // the preview's Content-Security-Policy refuses it); mj-font still adds one on purpose.
      const compiled = await mjml2html(version.mjml, { validationLevel: 'strict', keepComments: false, fonts: {} });
      locales[locale] = { ...version, html: compiled.html };
    } catch (error) {
      const found: unknown = error instanceof Error ? Reflect.get(error, 'errors') : undefined;
      const list = Array.isArray(found) ? found : [{ line: 1, message: error instanceof Error ? error.message : String(error) }];
      for (const item of list) {
        const line: unknown = Reflect.get(Object(item), 'line');
        const message: unknown = Reflect.get(Object(item), 'message');
        const at = typeof line === 'number' && line > 0 ? line : 1;
        errors.push({ path: `${prefix}.locales.${locale}.mjml`, message: `line ${at}, column 1: ${String(message)}`, code: 'mjml', line: at, column: 1 });
      }
      locales[locale] = version;
    }
  }
  const first = errors[0];
  if (first !== undefined) throw new ProblemError(422, 'template-error', 'The MJML does not compile', `${first.path}: ${first.message}`, errors);
  return { ...template, locales };
}
