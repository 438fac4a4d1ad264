/** Types of scripts/check-imports.mjs, for its unit test. */
export interface LayerFinding {
  readonly file: string;
  readonly line: number;
  readonly imports: string;
  readonly from: string;
  readonly to: string;
  readonly why: string;
}
export interface Circle {
  readonly files: readonly string[];
  readonly cycle: readonly string[];
}
export interface Findings {
  readonly files: number;
  readonly layers: readonly LayerFinding[];
  readonly circles: readonly Circle[];
  readonly long: readonly { readonly file: string; readonly lines: number }[];
  readonly unresolved: readonly { readonly file: string; readonly line: number; readonly spec: string }[];
}
export const MAX_LINES: number;
export const LAYERS: Record<string, { readonly any: readonly string[]; readonly types: readonly string[] }>;
export function importsOf(
  fileName: string,
  text: string,
): { readonly spec: string; readonly typeOnly: boolean; readonly line: number }[];
export function checkImports(root: string): Findings;
export function formatFindings(findings: Findings): string;
export function isClean(findings: Findings): boolean;
