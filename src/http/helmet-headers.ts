import { createRequire } from 'node:module';

type HelmetMiddleware = (
  request: unknown,
  response: { setHeader(name: string, value: unknown): void; removeHeader(name: string): void },
  next: (error?: unknown) => void,
) => void;
type Helmet = (options: Readonly<Record<string, unknown>>) => HelmetMiddleware;

/** helmet, the library behind @fastify/helmet, resolved from there so both always agree on the version. */
function loadHelmet(): Helmet {
  const fromPlugin = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'));
  return fromPlugin('helmet') as Helmet;
}

/** The headers helmet sets for `options`, or helmet's refusal of them. */
export function runHelmet(options: Readonly<Record<string, unknown>>): {
  readonly headers: Record<string, string>;
  readonly failure?: unknown;
} {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  try {
    loadHelmet()(options)({}, recorder, (error) => {
      failure = error;
    });
  } catch (error) {
    failure = error;
  }
  return failure === undefined ? { headers } : { headers, failure };
}

/**
 * helmet's refusal of `options` as text, for validating `http.helmet` with
 * the rest of the configuration; undefined when helmet accepts them or is
 * not installed (then the plugin cannot start either, and says so).
 */
export function helmetRefusal(options: Readonly<Record<string, unknown>>): string | undefined {
  try {
    createRequire(import.meta.url).resolve('@fastify/helmet');
  } catch {
    return undefined;
  }
  const { failure } = runHelmet(options);
  if (failure === undefined) return undefined;
  return failure instanceof Error ? failure.message : String(failure);
}
