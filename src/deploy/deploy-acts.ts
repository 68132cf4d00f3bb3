/** What envward/runtime loads on the first deployment call (see runtime/index.ts). */
export { listDeploymentsNow as listDeployments } from './list-deployments.js';
export { recordDeploymentNow as recordDeployment } from './record-deployment.js';
