/**
 * How configuration values and their sources read on console pages. Values
 * arrive already masked by the library (secrets as ••••••, URL passwords as
 * ***); this only turns them into bounded text, so one huge value cannot
 * make a page of megabytes. The `html` template escapes the result.
 */
import { type ConfigEntry, describeSource, LAYER_DESCRIPTIONS } from '../../config/index.js';
import { type Html, html } from '../html.js';

/** The most characters of one value a page shows. */
export const MAX_SHOWN = 2000;

function bigintAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A value as text: strings as they are, anything else as JSON, cut at MAX_SHOWN. */
export function valueText(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = typeof value === 'string' ? value : (JSON.stringify(value, bigintAsText) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length - MAX_SHOWN} more characters)` : text;
}

/** Where an entry came from: the layer, and the file:line, variable or revision when there is one. */
export function sourceHtml(entry: ConfigEntry | undefined): Html {
  if (!entry) return html`<span class="muted">unset (no layer sets it)</span>`;
  const { layer } = entry.source;
  const where = describeSource(entry.source);
  return where === layer
    ? html`<span title="${LAYER_DESCRIPTIONS[layer]}">${layer}</span>`
    : html`<span title="${LAYER_DESCRIPTIONS[layer]}">${layer}</span> <code>${where}</code>`;
}

/** The warnings a page shows above its content. */
export function warningsHtml(warnings: readonly string[]): Html {
  return html`${warnings.map((warning) => html`<p class="warn" role="alert">${warning}</p>`)}`;
}
