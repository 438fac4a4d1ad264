/** The policy and task routes of the v1 API (docs/api.md, "Policies", "Tasks"). */

import type { Router } from '../router.js';
import {
  accepted,
  noBody,
  noContent,
  ok,
  withBody,
  type RouteContext,
  type RouteResult,
  type RouteSpec,
} from './context.js';
import { expectNoQuery } from './parse.js';
import {
  parseHistoryQuery,
  parsePolicyCreate,
  parsePolicyUpdate,
  parseTaskCreate,
  parseTaskFilter,
  parseTaskUpdate,
  policyName,
  taskName,
} from './parse-scheduling.js';

const enc = encodeURIComponent;

export async function listPolicies({ apis, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.scheduling.listPolicies());
}

export async function createPolicy({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  const policy = await apis.scheduling.createPolicy(parsePolicyCreate(body));
  return { status: 201, body: policy, headers: { location: `/v1/policies/${enc(policy.name)}` } };
}

export async function getPolicy({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.scheduling.getPolicy(policyName(params.name)));
}

export async function updatePolicy({ apis, query, params, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  const name = policyName(params.name);
  return ok(await apis.scheduling.updatePolicy(name, parsePolicyUpdate(body)));
}

export async function deletePolicy({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  await apis.scheduling.deletePolicy(policyName(params.name));
  return noContent();
}

export async function enablePolicy({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.scheduling.setPolicyEnabled(policyName(params.name), true));
}

export async function disablePolicy({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.scheduling.setPolicyEnabled(policyName(params.name), false));
}

export async function runPolicy({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return accepted(await apis.scheduling.runPolicy(policyName(params.name)));
}

export async function listTasks({ apis, query }: RouteContext): Promise<RouteResult> {
  return ok(await apis.scheduling.listTasks(parseTaskFilter(query)));
}

export async function createTask({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  const task = await apis.scheduling.createTask(parseTaskCreate(body));
  return { status: 201, body: task, headers: { location: `/v1/tasks/${enc(task.name)}` } };
}

export async function getTask({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.scheduling.getTask(taskName(params.name)));
}

export async function updateTask({ apis, query, params, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  const name = taskName(params.name);
  return ok(await apis.scheduling.updateTask(name, parseTaskUpdate(body)));
}

export async function deleteTask({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  await apis.scheduling.deleteTask(taskName(params.name));
  return noContent();
}

export async function enableTask({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.scheduling.setTaskEnabled(taskName(params.name), true));
}

export async function disableTask({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.scheduling.setTaskEnabled(taskName(params.name), false));
}

export async function runTask({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return accepted(await apis.scheduling.runTask(taskName(params.name)));
}

export async function notifyTest({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.notifyTest.notifyTest(taskName(params.name)));
}

export async function taskHistory({ apis, query, params }: RouteContext): Promise<RouteResult> {
  const name = taskName(params.name);
  return ok(await apis.scheduling.taskHistory(name, parseHistoryQuery(query)));
}

export function addSchedulingRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('GET', '/v1/policies', noBody(listPolicies))
    .add('POST', '/v1/policies', withBody(createPolicy))
    .add('GET', '/v1/policies/:name', noBody(getPolicy))
    .add('PATCH', '/v1/policies/:name', withBody(updatePolicy))
    .add('DELETE', '/v1/policies/:name', noBody(deletePolicy))
    .add('POST', '/v1/policies/:name/enable', noBody(enablePolicy))
    .add('POST', '/v1/policies/:name/disable', noBody(disablePolicy))
    .add('POST', '/v1/policies/:name/run', noBody(runPolicy))
    .add('GET', '/v1/tasks', noBody(listTasks))
    .add('POST', '/v1/tasks', withBody(createTask))
    .add('GET', '/v1/tasks/:name', noBody(getTask))
    .add('PATCH', '/v1/tasks/:name', withBody(updateTask))
    .add('DELETE', '/v1/tasks/:name', noBody(deleteTask))
    .add('POST', '/v1/tasks/:name/enable', noBody(enableTask))
    .add('POST', '/v1/tasks/:name/disable', noBody(disableTask))
    .add('POST', '/v1/tasks/:name/run', noBody(runTask))
    .add('GET', '/v1/tasks/:name/history', noBody(taskHistory))
    .add('POST', '/v1/tasks/:name/notify-test', noBody(notifyTest));
}
