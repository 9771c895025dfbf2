/**
 * A renderer for the small subset of Helm's Go templates that deploy/helm/yumen uses — there is no helm
 * binary on the build machines. Supported: `{{ .Values.a.b }}`, `.Release.Name`, `.Chart.X`, string and
 * number literals, parentheses, pipes, `{{-`/`-}}` whitespace trimming, `if`/`else`/`end`, and the
 * functions quote, default, required, not, printf (%s), toYaml, indent, nindent. Anything else throws, so
 * a template that grows beyond the subset fails the test instead of rendering wrongly.
 */
import { stringify } from 'yaml';

type Node = { kind: 'text'; text: string } | { kind: 'out'; expr: string } | { kind: 'if'; expr: string; then: Node[]; else: Node[] };

function tokenize(src: string): Array<{ text: string } | { action: string }> {
  const out: Array<{ text: string } | { action: string }> = [];
  const re = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1] === '-') text = text.replace(/\s+$/, '');
    out.push({ text });
    out.push({ action: m[2] });
    trimNext = m[3] === '-';
    last = re.lastIndex;
  }
  let tail = src.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  out.push({ text: tail });
  return out;
}

function parse(src: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { kind: 'if' }>; inElse: boolean }> = [];
  const target = () => (stack.length ? (stack[stack.length - 1].inElse ? stack[stack.length - 1].node.else : stack[stack.length - 1].node.then) : root);
  for (const t of tokenize(src)) {
    if ('text' in t) {
      if (t.text) target().push({ kind: 'text', text: t.text });
    } else if (t.action.startsWith('if ')) {
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', expr: t.action.slice(3), then: [], else: [] };
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (t.action === 'else') {
      if (!stack.length) throw new Error('else without if');
      stack[stack.length - 1].inElse = true;
    } else if (t.action === 'end') {
      if (!stack.pop()) throw new Error('end without if');
    } else if (/^(range|with|define|template|include|block)\b/.test(t.action) || t.action.includes(':=')) {
      throw new Error(`template action outside the supported subset: {{ ${t.action} }}`);
    } else {
      target().push({ kind: 'out', expr: t.action });
    }
  }
  if (stack.length) throw new Error('if without end');
  return root;
}

const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0));

function indentLines(s: string, n: number): string {
  return s.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');
}

const FUNCS: Record<string, (...args: unknown[]) => unknown> = {
  quote: (v) => JSON.stringify(v === undefined || v === null ? '' : String(v)),
  default: (dflt, v) => (truthy(v) ? v : dflt),
  required: (msg, v) => {
    if (!truthy(v)) throw new Error(String(msg));
    return v;
  },
  not: (v) => !truthy(v),
  printf: (fmt, ...args) => { let i = 0; return String(fmt).replace(/%s/g, () => String(args[i++])); },
  toYaml: (v) => stringify(v).replace(/\n$/, ''),
  indent: (n, s) => indentLines(String(s), Number(n)),
  nindent: (n, s) => `\n${indentLines(String(s), Number(n))}`,
};

/** Splits an expression into terms: literals, paths, identifiers, parenthesised groups and `|`. */
function terms(expr: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== '"') j += expr[j] === '\\' ? 2 : 1;
      out.push(expr.slice(i, j + 1));
      i = j + 1;
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < expr.length; j++) {
        if (expr[j] === '(') depth++;
        else if (expr[j] === ')' && --depth === 0) break;
      }
      out.push(expr.slice(i, j + 1));
      i = j + 1;
    } else if (c === '|') {
      out.push('|');
      i++;
    } else {
      let j = i;
      while (j < expr.length && !/[\s|()]/.test(expr[j])) j++;
      out.push(expr.slice(i, j));
      i = j;
    }
  }
  return out;
}

function evaluate(expr: string, ctx: Record<string, unknown>): unknown {
  const parts = terms(expr);
  const commands: string[][] = [[]];
  for (const p of parts) (p === '|' ? commands.push([]) : commands[commands.length - 1].push(p));
  let piped: unknown;
  let hasPiped = false;
  for (const cmd of commands) {
    const value = (t: string): unknown => {
      if (t.startsWith('"')) return JSON.parse(t);
      if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
      if (t.startsWith('(')) return evaluate(t.slice(1, -1), ctx);
      if (t.startsWith('.')) return t.slice(1).split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), ctx);
      if (t === 'true' || t === 'false') return t === 'true';
      throw new Error(`unsupported term "${t}" in {{ ${expr} }}`);
    };
    const [head, ...rest] = cmd;
    let result: unknown;
    if (head in FUNCS) {
      const args = rest.map(value);
      if (hasPiped) args.push(piped);
      result = FUNCS[head](...args);
    } else if (/^[a-z]\w*$/i.test(head)) {
      throw new Error(`function outside the supported subset: ${head}`);
    } else {
      if (rest.length || hasPiped) throw new Error(`cannot apply arguments to ${head} in {{ ${expr} }}`);
      result = value(head);
    }
    piped = result;
    hasPiped = true;
  }
  return piped;
}

function run(nodes: Node[], ctx: Record<string, unknown>): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'out') {
      const v = evaluate(n.expr, ctx);
      out += v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    } else out += run(truthy(evaluate(n.expr, ctx)) ? n.then : n.else, ctx);
  }
  return out;
}

/** Renders one template with Helm's top-level objects (`Values`, `Release`, `Chart`). */
export function renderTemplate(src: string, ctx: { Values: unknown; Release: { Name: string; Namespace?: string }; Chart: Record<string, unknown> }): string {
  return run(parse(src), ctx as unknown as Record<string, unknown>);
}
