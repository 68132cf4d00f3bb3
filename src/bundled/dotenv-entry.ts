// Entry of build/dotenv.cjs (see load-bundled.ts); never imported directly.
export { parse as parseDotenv } from 'dotenv';
