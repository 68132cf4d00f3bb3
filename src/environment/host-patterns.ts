import { createRequire } from 'node:module';

type Matcher = (hostname: string) => boolean;

const require = createRequire(import.meta.url);
const compiled = new Map<string, Matcher>();

/** True when `hostname` matches the pattern: an exact name or a glob such as `*.prod.example.com`, case-insensitive. */
export function hostMatches(pattern: string, hostname: string): boolean {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    // picomatch is loaded only for projects that declare host patterns.
    const picomatch = require('picomatch') as typeof import('picomatch');
    matcher = picomatch(pattern, { nocase: true, dot: true });
    compiled.set(pattern, matcher);
  }
  return matcher(hostname);
}

/** The first pattern of `patterns` that matches, if any. */
export function firstMatchingPattern(patterns: readonly string[], hostname: string): string | undefined {
  return patterns.find((pattern) => hostMatches(pattern, hostname));
}
