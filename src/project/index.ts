export { writeFileAtomically } from './atomic-write.js';
export { findProjectFile, locateProjectFile, PROJECT_FILES } from './find-project.js';
export { loadProjectFile } from './load-project-file.js';
export { type ScaffoldResult, scaffoldProject } from './scaffold.js';
