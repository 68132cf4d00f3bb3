export { cacheDirectoryOrNull, evaluateCommonJs, isBuiltinModule, writeCacheAtomically } from './code-cache.js';
export {
  type BundledDotenv,
  type BundledYaml,
  type BundledZod,
  bundledDotenv,
  bundledYaml,
  bundledZod,
} from './load-bundled.js';
