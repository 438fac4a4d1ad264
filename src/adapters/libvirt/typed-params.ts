/**
 * remote_typed_param: a named value of one of seven types (virTypedParameterType).
 */
import { VirtpointError } from '../../core/errors.js';
import type { XdrReader, XdrWriter } from './xdr.js';

export const TypedParamType = {
  INT: 1,
  UINT: 2,
  LLONG: 3,
  ULLONG: 4,
  DOUBLE: 5,
  BOOLEAN: 6,
  STRING: 7,
} as const;

export type TypedParamValue = number | bigint | boolean | string;

export interface TypedParam {
  readonly field: string;
  readonly type: number;
  readonly value: TypedParamValue;
}

/** The wire limit on typed parameters per message (REMOTE_DOMAIN_JOB_STATS_MAX and friends). */
export const TYPED_PARAMS_MAX = 64 * 1024;

export function readTypedParam(r: XdrReader): TypedParam {
  const field = r.string();
  const type = r.int();
  switch (type) {
    case TypedParamType.INT:
      return { field, type, value: r.int() };
    case TypedParamType.UINT:
      return { field, type, value: r.uint() };
    case TypedParamType.LLONG:
      return { field, type, value: r.hyper() };
    case TypedParamType.ULLONG:
      return { field, type, value: r.uhyper() };
    case TypedParamType.DOUBLE:
      return { field, type, value: r.double() };
    case TypedParamType.BOOLEAN:
      return { field, type, value: r.int() !== 0 };
    case TypedParamType.STRING:
      return { field, type, value: r.string() };
    default:
      throw new VirtpointError('LIBVIRT_PROTOCOL', `libvirt protocol: unknown typed parameter type ${type}`, {
        details: { field, type },
      });
  }
}

export function writeTypedParam(w: XdrWriter, p: TypedParam): void {
  w.string(p.field).int(p.type);
  const v = p.value;
  switch (p.type) {
    case TypedParamType.INT:
      w.int(Number(v));
      return;
    case TypedParamType.UINT:
      w.uint(Number(v));
      return;
    case TypedParamType.LLONG:
      w.hyper(typeof v === 'bigint' ? v : BigInt(Number(v)));
      return;
    case TypedParamType.ULLONG:
      w.uhyper(typeof v === 'bigint' ? v : BigInt(Number(v)));
      return;
    case TypedParamType.DOUBLE:
      w.double(Number(v));
      return;
    case TypedParamType.BOOLEAN:
      w.int(v ? 1 : 0);
      return;
    case TypedParamType.STRING:
      w.string(String(v));
      return;
    default:
      throw new RangeError(`unknown typed parameter type ${p.type}`);
  }
}

export function readTypedParams(r: XdrReader): TypedParam[] {
  return r.array((x) => readTypedParam(x), TYPED_PARAMS_MAX);
}

/** Typed parameters as a plain record; 64-bit values that fit a double become numbers. */
export function typedParamsToRecord(
  params: readonly TypedParam[],
): Record<string, string | number | boolean | bigint> {
  const out: Record<string, string | number | boolean | bigint> = {};
  for (const p of params) {
    const v = p.value;
    out[p.field] =
      typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v;
  }
  return out;
}
