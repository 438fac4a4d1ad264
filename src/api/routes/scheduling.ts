/**
 * The policy and task routes of the v1 API (docs/api.md, "Policies", "Tasks"), registered on the
 * router by `buildRouter` (routes.ts).
 */

import type { Router } from '../router.js';
import type { RouteSpec } from './index.js';
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

const ok = (body: unknown) => ({ status: 200, body });
const noBody = (handle: RouteSpec['handle']): RouteSpec => ({ body: false, handle });
const withBody = (handle: RouteSpec['handle']): RouteSpec => ({ body: true, handle });
const enc = encodeURIComponent;

export function addSchedulingRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add(
      'GET',
      '/v1/policies',
      noBody(async ({ control, query }) => {
        expectNoQuery(query);
        return ok(await control.listPolicies());
      }),
    )
    .add(
      'POST',
      '/v1/policies',
      withBody(async ({ control, query, body }) => {
        expectNoQuery(query);
        const policy = await control.createPolicy(parsePolicyCreate(body));
        return { status: 201, body: policy, headers: { location: `/v1/policies/${enc(policy.name)}` } };
      }),
    )
    .add(
      'GET',
      '/v1/policies/:name',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.getPolicy(policyName(params.name)));
      }),
    )
    .add(
      'PATCH',
      '/v1/policies/:name',
      withBody(async ({ control, query, params, body }) => {
        expectNoQuery(query);
        const name = policyName(params.name);
        return ok(await control.updatePolicy(name, parsePolicyUpdate(body)));
      }),
    )
    .add(
      'DELETE',
      '/v1/policies/:name',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        await control.deletePolicy(policyName(params.name));
        return { status: 204 };
      }),
    )
    .add(
      'POST',
      '/v1/policies/:name/enable',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.setPolicyEnabled(policyName(params.name), true));
      }),
    )
    .add(
      'POST',
      '/v1/policies/:name/disable',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.setPolicyEnabled(policyName(params.name), false));
      }),
    )
    .add(
      'POST',
      '/v1/policies/:name/run',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return { status: 202, body: await control.runPolicy(policyName(params.name)) };
      }),
    )
    .add(
      'GET',
      '/v1/tasks',
      noBody(async ({ control, query }) => ok(await control.listTasks(parseTaskFilter(query)))),
    )
    .add(
      'POST',
      '/v1/tasks',
      withBody(async ({ control, query, body }) => {
        expectNoQuery(query);
        const task = await control.createTask(parseTaskCreate(body));
        return { status: 201, body: task, headers: { location: `/v1/tasks/${enc(task.name)}` } };
      }),
    )
    .add(
      'GET',
      '/v1/tasks/:name',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.getTask(taskName(params.name)));
      }),
    )
    .add(
      'PATCH',
      '/v1/tasks/:name',
      withBody(async ({ control, query, params, body }) => {
        expectNoQuery(query);
        const name = taskName(params.name);
        return ok(await control.updateTask(name, parseTaskUpdate(body)));
      }),
    )
    .add(
      'DELETE',
      '/v1/tasks/:name',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        await control.deleteTask(taskName(params.name));
        return { status: 204 };
      }),
    )
    .add(
      'POST',
      '/v1/tasks/:name/enable',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.setTaskEnabled(taskName(params.name), true));
      }),
    )
    .add(
      'POST',
      '/v1/tasks/:name/disable',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.setTaskEnabled(taskName(params.name), false));
      }),
    )
    .add(
      'POST',
      '/v1/tasks/:name/run',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return { status: 202, body: await control.runTask(taskName(params.name)) };
      }),
    )
    .add(
      'GET',
      '/v1/tasks/:name/history',
      noBody(async ({ control, query, params }) => {
        const name = taskName(params.name);
        return ok(await control.taskHistory(name, parseHistoryQuery(query)));
      }),
    );
}
