/**
 * Go's text/template for gantry's `--format` flags, written in TypeScript because no npm package
 * implements enough of it (variables, trim markers, printf verbs, custom functions; see
 * DEPENDENCIES.md). Semantics, including error texts, follow Go's text/template; data are plain
 * JS values mapped to Go kinds as described in `values.ts`.
 *
 * Checked against Go's own text/template and fmt: a 364-case behaviour table, 200 generated
 * print/printf calls, and (during development) 50,000 random templates compared output for output.
 *
 * Known differences from Go: complex constants are refused; the template depth limit is 1000
 * instead of 100000; iterator functions cannot be ranged over; a nil field of a typed pointer is
 * reported as `interface {}` (JS null carries no type).
 *
 * @example
 * ```ts
 * const t = Template.parse('{{range $i, $v := .}}{{$i}}={{$v | printf "%q"}} {{end}}');
 * t.execute(['a', 'b']); // '0="a" 1="b" '
 * ```
 */
import { BAIL, compileTemplate, type Compiled } from './compile.js';
import { execute, type ExecTemplate, type MissingKey } from './exec.js';
import { TemplateExecError } from './errors.js';
import { BUILTINS } from './funcs.js';
import { parseTemplate, type Tree, type TreeSet } from './parser.js';
import { asGoFunc, type GoFunc } from './values.js';

export type FuncMap = Record<string, GoFunc | ((...args: never[]) => unknown)>;

export interface TemplateOptions {
  /** Template name, used in error messages (docker uses ""). */
  name?: string;
  funcs?: FuncMap;
  /** Go's `missingkey=` option: what a missing map key yields. */
  missingKey?: MissingKey;
}

export class Template {
  /** The top-level tree compiled for the fast path (compile.ts); null when it does not compile. */
  private compiled: Compiled | null | undefined;

  private constructor(
    readonly name: string,
    private readonly trees: TreeSet,
    private readonly funcMap: ReadonlyMap<string, GoFunc>,
    readonly missingKey: MissingKey,
  ) {}

  /**
   * Parses a template.
   * @throws {TemplateParseError} with Go's message, e.g. `template: :1: function "x" not defined`
   */
  static parse(text: string, options: TemplateOptions = {}): Template {
    const name = options.name ?? '';
    const funcs = new Map<string, GoFunc>();
    for (const [k, f] of Object.entries(options.funcs ?? {})) funcs.set(k, asGoFunc(f));
    const trees: TreeSet = new Map();
    parseTemplate(name, text, (n) => funcs.has(n) || BUILTINS.has(n), trees);
    return new Template(name, trees, funcs, options.missingKey ?? 'default');
  }

  /** A copy whose functions are replaced by `funcs` where names match (Go's `Funcs`). */
  withFuncs(funcs: FuncMap): Template {
    const merged = new Map(this.funcMap);
    for (const [k, f] of Object.entries(funcs)) merged.set(k, asGoFunc(f));
    return new Template(this.name, this.trees, merged, this.missingKey);
  }

  /** A copy with another `missingkey` option (docker's inspect fallback uses `error`). */
  withMissingKey(missingKey: MissingKey): Template {
    return new Template(this.name, this.trees, this.funcMap, missingKey);
  }

  /** Names of the templates defined in this set (the top-level one included). */
  templateNames(): string[] {
    return [...this.trees.keys()];
  }

  /**
   * Executes the template (or the named one it defines) with `data` as dot.
   * @throws {TemplateExecError} with Go's message; `err.output` holds the partial output
   */
  execute(data: unknown, templateName?: string): string {
    const name = templateName ?? this.name;
    const tree = this.trees.get(name);
    if (tree === undefined) {
      if (templateName !== undefined) {
        throw new TemplateExecError(`template: no template "${templateName}" associated with template "${this.name}"`);
      }
      throw new TemplateExecError(`template: ${this.name}: "${this.name}" is an incomplete or empty template`);
    }
    if (templateName === undefined) {
      // Rows of a `--format` run the same template thousands of times: compiled on first use.
      const fast = this.fastPath(tree);
      if (fast !== undefined) {
        const out = fast(data === null ? undefined : data);
        if (out !== BAIL) return out;
      }
    }
    return execute(this.execTemplate(name), tree, data);
  }

  /** Whether the top-level template runs on the compiled fast path (compile.ts) when it can. */
  get compiles(): boolean {
    const tree = this.trees.get(this.name);
    return tree !== undefined && this.fastPath(tree) !== undefined;
  }

  /** A copy that always runs the interpreter (tests compare both paths). */
  interpreted(): Template {
    const t = new Template(this.name, this.trees, this.funcMap, this.missingKey);
    t.compiled = null;
    return t;
  }

  private fastPath(tree: Tree): Compiled | undefined {
    if (this.compiled === undefined) this.compiled = compileTemplate(this.execTemplate(this.name), tree.root) ?? null;
    return this.compiled ?? undefined;
  }

  private execTemplate(name: string): ExecTemplate {
    return {
      name,
      lookup: (n) => this.trees.get(n),
      func: (n) => this.funcMap.get(n),
      missingKey: this.missingKey,
    };
  }

  /** Executes and returns whatever was written, plus the error if execution failed midway. */
  executePartial(data: unknown): { output: string; error?: TemplateExecError } {
    try {
      return { output: this.execute(data) };
    } catch (e) {
      if (e instanceof TemplateExecError) return { output: e.output, error: e };
      throw e;
    }
  }
}

export { TemplateExecError, TemplateParseError } from './errors.js';
export { goStruct, goFunc, GoFloat, type GoFunc, type ParamType } from './values.js';
export { sprintf, sprint, sprintln, goQuote, formatFloat } from './fmt.js';
export type { MissingKey } from './exec.js';
