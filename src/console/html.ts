/**
 * Typed HTML templates: `html` is a tagged template whose interpolations are
 * escaped unless they are themselves `html` fragments, so a value from a
 * store, a file or a form can never become markup. Templates are checked by
 * the compiler with the code around them; there are no template files to
 * ship or to load at run time.
 */

/** Markup built by `html`; only this type is inserted unescaped. */
export class Html {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

/** What a template may interpolate: text (escaped), numbers, markup, lists of them; null/undefined/false render nothing. */
export type HtmlValue = Html | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text or attribute content (always quoted in templates). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] as string);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** A template: html`<td>${name}</td>`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let text = strings[0] ?? '';
  for (let index = 0; index < values.length; index++) {
    text += render(values[index] as HtmlValue) + (strings[index + 1] ?? '');
  }
  return new Html(text);
}
