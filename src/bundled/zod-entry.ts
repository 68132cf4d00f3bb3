// Entry of build/zod.cjs (see load-bundled.ts); never imported directly.
export * as zod from 'zod';
export { z } from 'zod';
