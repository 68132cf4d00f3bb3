// Scrubbing lives with the config, which knows the secret values; logs and replies use it from there.
export { createScrubber, MIN_SCRUBBED_LENGTH, type Scrubber } from '../config/index.js';
