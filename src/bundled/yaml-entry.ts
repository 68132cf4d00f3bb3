// Entry of build/yaml.cjs (see load-bundled.ts); never imported directly.
export { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
