/**
 * A small XML reader for the well-formed output libvirt produces (domain, checkpoint and backup
 * XML): elements, attributes, text, comments, CDATA, processing instructions and the five
 * predefined entities plus numeric references. No DTDs, no namespaces handling beyond names.
 */
import { VirtpointError } from '../../core/errors.js';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated text directly inside this element (not of its children). */
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, ent: string) => {
    if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    return ENTITIES[ent] ?? m;
  });
}

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function bad(msg: string, pos: number): VirtpointError {
  return new VirtpointError('LIBVIRT_PROTOCOL', `malformed XML from libvirt: ${msg} at offset ${pos}`);
}

const NAME_RE = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTR_RE = /\s*([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/y;

/** Parses a document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(xml.slice(i, textEnd));
      else if (xml.slice(i, textEnd).trim() !== '') throw bad('text outside the root element', i);
    }
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) throw bad('unterminated comment', i);
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) throw bad('unterminated CDATA', i);
      const top = stack[stack.length - 1];
      if (top) top.text += xml.slice(i + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end === -1) throw bad('unterminated processing instruction', i);
      i = end + 2;
    } else if (xml.startsWith('<!', i)) {
      const end = xml.indexOf('>', i + 2);
      if (end === -1) throw bad('unterminated declaration', i);
      i = end + 1;
    } else if (xml.startsWith('</', i)) {
      NAME_RE.lastIndex = i + 2;
      const m = NAME_RE.exec(xml);
      if (!m) throw bad('bad end tag', i);
      const top = stack.pop();
      if (!top || top.name !== m[0]) throw bad(`unexpected </${m[0]}>`, i);
      const end = xml.indexOf('>', NAME_RE.lastIndex);
      if (end === -1 || xml.slice(NAME_RE.lastIndex, end).trim() !== '') throw bad('bad end tag', i);
      i = end + 1;
    } else {
      NAME_RE.lastIndex = i + 1;
      const m = NAME_RE.exec(xml);
      if (!m) throw bad('bad start tag', i);
      let p = NAME_RE.lastIndex;
      const attrs: Record<string, string> = {};
      for (;;) {
        ATTR_RE.lastIndex = p;
        const a = ATTR_RE.exec(xml);
        if (!a) break;
        attrs[a[1] as string] = decodeEntities(a[3] ?? a[4] ?? '');
        p = ATTR_RE.lastIndex;
      }
      while (p < n && /\s/.test(xml[p] as string)) p++;
      const el: XmlElement = { name: m[0], attrs, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw bad('second root element', i);
      else root = el;
      if (xml.startsWith('/>', p)) {
        i = p + 2;
      } else if (xml[p] === '>') {
        stack.push(el);
        i = p + 1;
      } else {
        throw bad(`bad attribute in <${m[0]}>`, p);
      }
    }
  }
  if (stack.length > 0) throw bad(`unclosed <${stack[stack.length - 1]?.name}>`, n);
  if (!root) throw bad('no root element', 0);
  return root;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

export function childText(el: XmlElement | undefined, name: string): string | null {
  const c = child(el, name);
  return c ? c.text.trim() : null;
}
