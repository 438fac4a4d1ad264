/**
 * Validation of the policy and task requests (docs/api.md, "Policies", "Tasks"): the shape is
 * checked here (unknown fields refused, JSON types), the values by core/policy-task.ts so the
 * API refuses exactly what the service would (400 INVALID_ARGUMENT naming the field).
 */

import {
  validateName,
  validatePolicyInput,
  validateTaskInput,
  validateTaskPatch,
} from '../../core/policy-task.js';
import { validateSchedule } from '../../core/schedule.js';
import type {
  PolicyCreateInput,
  PolicyUpdateInput,
  ScheduleView,
  TaskCreateInput,
  TaskUpdateInput,
} from '../../contract/index.js';
import { boolean, expectObject, integer, invalid, queryParams } from './parse.js';

const POLICY_FIELDS = ['name', 'schedule', 'enabled'];
const TASK_FIELDS = [
  'name',
  'domains',
  'disks',
  'volumes',
  'volumePaths',
  'policies',
  'chainLength',
  'retention',
  'receivers',
  'enabled',
  'verifyAfter',
  'copyTo',
];
export const HISTORY_LIMIT_MAX = 100;

/** A policy or task name in a path. */
export function policyName(value: unknown): string {
  return validateName(value, 'policy name');
}

export function taskName(value: unknown): string {
  return validateName(value, 'task name');
}

function schedule(value: unknown): ScheduleView {
  const o = expectObject(value, ['kind', 'days', 'n', 'times'], 'schedule');
  if (o.kind === 'weekly' && o.n !== undefined) throw invalid('schedule.n is only for kind every-days');
  if (o.kind === 'every-days' && o.days !== undefined) throw invalid('schedule.days is only for kind weekly');
  return validateSchedule(o);
}

/** POST /v1/policies. */
export function parsePolicyCreate(body: unknown): PolicyCreateInput {
  const o = expectObject(body, POLICY_FIELDS);
  if (o.name === undefined) throw invalid('name is required');
  if (o.schedule === undefined) throw invalid('schedule is required');
  const spec = validatePolicyInput({ name: o.name, schedule: schedule(o.schedule), enabled: o.enabled });
  return o.enabled === undefined ? { name: spec.name, schedule: spec.schedule } : spec;
}

/** PATCH /v1/policies/{name}: at least one of name, schedule, enabled. */
export function parsePolicyUpdate(body: unknown): PolicyUpdateInput {
  const o = expectObject(body, POLICY_FIELDS);
  if (Object.keys(o).length === 0) throw invalid(`name one field to change: ${POLICY_FIELDS.join(', ')}`);
  const patch: { -readonly [K in keyof PolicyUpdateInput]: PolicyUpdateInput[K] } = {};
  if (o.name !== undefined) patch.name = validateName(o.name, 'name');
  if (o.schedule !== undefined) patch.schedule = schedule(o.schedule);
  if (o.enabled !== undefined) patch.enabled = boolean(o.enabled, 'enabled');
  return patch;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalid(`${field} must be an array of strings`);
  }
  return value as string[];
}

/** The task fields present in `o`, type-checked (values are checked by the core validators). */
function taskFields(o: Record<string, unknown>): TaskUpdateInput & { policies?: string[] } {
  const out: { -readonly [K in keyof TaskCreateInput]?: TaskCreateInput[K] } = {};
  if (o.name !== undefined) out.name = validateName(o.name, 'name');
  if (o.domains !== undefined) out.domains = stringList(o.domains, 'domains');
  if (o.disks !== undefined) out.disks = stringList(o.disks, 'disks');
  if (o.volumes !== undefined) out.volumes = stringList(o.volumes, 'volumes');
  if (o.volumePaths !== undefined) out.volumePaths = stringList(o.volumePaths, 'volumePaths');
  if (o.policies !== undefined) out.policies = stringList(o.policies, 'policies');
  if (o.chainLength !== undefined) out.chainLength = integer(o.chainLength, 'chainLength', 1, 30);
  if (o.retention !== undefined) {
    if (typeof o.retention !== 'string') throw invalid('retention must be a string such as count:7');
    out.retention = o.retention;
  }
  if (o.receivers !== undefined) out.receivers = stringList(o.receivers, 'receivers');
  if (o.enabled !== undefined) out.enabled = boolean(o.enabled, 'enabled');
  if (o.verifyAfter !== undefined) out.verifyAfter = boolean(o.verifyAfter, 'verifyAfter');
  if (o.copyTo !== undefined) out.copyTo = stringList(o.copyTo, 'copyTo');
  return out as TaskUpdateInput & { policies?: string[] };
}

/** POST /v1/tasks. */
export function parseTaskCreate(body: unknown): TaskCreateInput {
  const o = expectObject(body, TASK_FIELDS);
  if (o.name === undefined) throw invalid('name is required');
  if (o.policies === undefined) throw invalid('policies is required (1 to 8 policy names)');
  if ([o.domains, o.disks, o.volumes, o.volumePaths].every((x) => x === undefined))
    throw invalid('domains, disks, volumes or volumePaths is required');
  const input = taskFields(o) as TaskCreateInput;
  validateTaskInput(input);
  return input;
}

/** PATCH /v1/tasks/{name}: anything but policies; `domains`/`disks`/`volumes`/`volumePaths` replace the resources. */
export function parseTaskUpdate(body: unknown): TaskUpdateInput {
  const o = expectObject(body, TASK_FIELDS);
  if (Object.keys(o).length === 0) {
    throw invalid(`name one field to change: ${TASK_FIELDS.filter((f) => f !== 'policies').join(', ')}`);
  }
  const input = taskFields(o);
  validateTaskPatch(input);
  return input;
}

/** GET /v1/tasks?policy=. */
export function parseTaskFilter(query: URLSearchParams): { policy?: string } {
  const policy = queryParams(query, ['policy']).get('policy');
  return policy === undefined ? {} : { policy: validateName(policy, 'policy') };
}

/** GET /v1/tasks/{name}/history?limit=. */
export function parseHistoryQuery(query: URLSearchParams): { limit?: number } {
  const limit = queryParams(query, ['limit']).get('limit');
  if (limit === undefined) return {};
  if (!/^[0-9]{1,4}$/.test(limit)) throw invalid(`limit must be an integer from 1 to ${HISTORY_LIMIT_MAX}`);
  return { limit: integer(Number(limit), 'limit', 1, HISTORY_LIMIT_MAX) };
}
