export { cacheDirectoryOrNull, evaluateCommonJs, isBuiltinModule, writeCacheAtomically } from './code-cache.js';
export { type BundledDotenv, type BundledYaml, bundledDotenv, bundledYaml } from './load-bundled.js';
