import { createRequire } from 'node:module';
import type { createColors } from 'picocolors';
import type { DetectionSource, Environment } from './environment.js';
import type { Colour } from './tiers.js';

type Colors = ReturnType<typeof createColors>;

function paint(colors: Colors, colour: Colour, text: string): string {
  switch (colour) {
    case 'red':
      return colors.bgRed(colors.white(colors.bold(text)));
    case 'amber':
      return colors.bgYellow(colors.black(colors.bold(text)));
    case 'green':
      return colors.bgGreen(colors.black(colors.bold(text)));
    case 'blue':
      return colors.bgBlue(colors.white(colors.bold(text)));
    default:
      return colors.bgMagenta(colors.white(colors.bold(text)));
  }
}

/** The environment banner: the name always in text (colour-blind safe), colour on a TTY. */
export function renderBanner(
  colors: Colors,
  environment: Environment,
  source: DetectionSource,
  hostname: string,
  extraRows: readonly (readonly [string, string])[] = [],
): string {
  const title = ` ${environment.code} · ${environment.name.toUpperCase()} `;
  const rows = [
    ['environment', `${environment.name} (${environment.code})`],
    ['tier', `${environment.tier}${environment.protected ? ' · protected' : ''}`],
    ['colour', environment.colour],
    ['decided by', `${source.kind}${source.detail ? ` (${source.detail})` : ''}`],
    ['host', hostname],
    ...extraRows,
  ];
  return [paint(colors, environment.colour, title), ...rows.map(([k, v]) => `  ${(k as string).padEnd(12)} ${v}`)].join(
    '\n',
  );
}

/**
 * The environment banner for a service's start-up: name, code, tier, the
 * signal that decided, the host, and any rows the service adds. Colour only
 * when `color` is true (default: stdout is a TTY and NO_COLOR is unset).
 * @example
 * console.log(environmentBanner(resolved, { rows: [['url', 'http://127.0.0.1:3000']] }));
 */
export function environmentBanner(
  resolved: { readonly environment: Environment; readonly detection: DetectionSource; readonly hostname: string },
  options: { readonly rows?: readonly (readonly [string, string])[]; readonly color?: boolean } = {},
): string {
  const color = options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  // picocolors loads here, not when envward is imported.
  const { createColors: colors } = createRequire(import.meta.url)('picocolors') as typeof import('picocolors');
  return renderBanner(colors(color), resolved.environment, resolved.detection, resolved.hostname, options.rows);
}
