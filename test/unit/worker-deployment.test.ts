import * as workflows from '../../workflows';
import { VERSIONING_BEHAVIORS_MODULE, withVersioningBehaviors, workerDeploymentOptions } from '../../worker/worker-deployment';

// The server refuses a workflow task that declares a versioning behaviour from an unversioned worker
// ("versioning behavior cannot be specified without deployment options being set with versioned mode"):
// the behaviours are declared only where a versioned worker loads them.

const MODULES = ['/app/workflows/readable-summaries.interceptor.js'];

test('without WORKER_BUILD_ID, the worker is unversioned and loads no versioning behaviours', () => {
  const deployment = workerDeploymentOptions({ WORKER_DEPLOYMENT_NAME: 'aftersales' });
  expect(deployment).toBeUndefined();
  expect(withVersioningBehaviors(MODULES, deployment)).toEqual(MODULES);
});

test('with WORKER_BUILD_ID, the worker joins its deployment as that build, auto-upgrade by default, and loads the behaviours', () => {
  const deployment = workerDeploymentOptions({ WORKER_DEPLOYMENT_NAME: 'aftersales', WORKER_BUILD_ID: '3f2a9c1d0b7e' });
  expect(deployment).toEqual({ useWorkerVersioning: true, version: { deploymentName: 'aftersales', buildId: '3f2a9c1d0b7e' }, defaultVersioningBehavior: 'AUTO_UPGRADE' });
  expect(withVersioningBehaviors(MODULES, deployment)).toEqual([...MODULES, VERSIONING_BEHAVIORS_MODULE]);
});

test('the workflows module itself declares no versioning behaviour, so an unversioned worker never sends one', () => {
  const declared = Object.entries(workflows).filter(([, fn]) => typeof fn === 'function' && 'workflowDefinitionOptions' in fn).map(([name]) => name);
  expect(declared).toEqual([]);
});
