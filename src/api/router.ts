/**
 * Method + path routing. Patterns are `/`-separated segments; `:name` segments capture one
 * percent-decoded path segment. The raw path is split before decoding, so `%2F` never creates a
 * segment and `..` / `%2e%2e` reach the handler as a parameter value (which validation refuses).
 * No match → 404 NOT_FOUND; the path matches but not the method → 405 METHOD_NOT_ALLOWED with
 * the allowed methods.
 */

import { VirtpointError } from '../core/errors.js';

export type PathParams = Readonly<Record<string, string>>;

export interface Route<H> {
  readonly method: string;
  readonly pattern: string;
  readonly handler: H;
}

export type RouteMatch<H> =
  | { readonly kind: 'found'; readonly handler: H; readonly params: PathParams; readonly pattern: string }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

interface CompiledRoute<H> extends Route<H> {
  readonly segments: readonly string[];
}

export class Router<H> {
  private readonly routes: CompiledRoute<H>[] = [];

  add(method: string, pattern: string, handler: H): this {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with /: ${pattern}`);
    this.routes.push({
      method: method.toUpperCase(),
      pattern,
      handler,
      segments: pattern.slice(1).split('/'),
    });
    return this;
  }

  /**
   * Matches a raw path (no query string). Throws INVALID_ARGUMENT when a parameter segment is
   * not valid percent-encoding.
   */
  match(method: string, rawPath: string): RouteMatch<H> {
    if (!rawPath.startsWith('/')) return { kind: 'not-found' };
    const parts = rawPath.slice(1).split('/');
    const allow: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params === null) continue;
      if (route.method !== method.toUpperCase()) {
        if (!allow.includes(route.method)) allow.push(route.method);
        continue;
      }
      return { kind: 'found', handler: route.handler, params: decodeParams(params), pattern: route.pattern };
    }
    return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const s = parts[i] ?? '';
    if (p.startsWith(':')) {
      if (s === '') return null;
      params[p.slice(1)] = s;
    } else if (p !== s) {
      return null;
    }
  }
  return params;
}

function decodeParams(raw: Record<string, string>): PathParams {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      throw new VirtpointError('INVALID_ARGUMENT', `path parameter ${name} is not valid percent-encoding`);
    }
  }
  return out;
}
