// The table lives in the library (src/exit-codes.ts) so reportStartupError exits as the CLI does.
export { EXIT, exitCodeFor } from '../exit-codes.js';
