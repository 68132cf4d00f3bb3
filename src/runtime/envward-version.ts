// Defined by the build (scripts/build.mjs) from package.json; absent when the source runs as is (tests).
declare const ENVWARD_VERSION: string | undefined;

/** The running envward's version, as an archive records it ('dev' from the source). */
export function envwardVersion(): string {
  return typeof ENVWARD_VERSION === 'string' ? ENVWARD_VERSION : 'dev';
}
