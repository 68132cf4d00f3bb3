/** What envward/runtime loads on first use: every act and Kysely with them (see index.ts). */
export { withLatestRevision } from './applied-revision.js';
export { backupConfig } from './config-backup.js';
export { restoreConfig } from './config-restore.js';
export { configHistory } from './history.js';
export { promoteConfig } from './promote.js';
export { rollbackConfig, setConfig } from './revision-acts.js';
