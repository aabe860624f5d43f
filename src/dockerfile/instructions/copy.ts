/**
 * COPY and ADD: sources (context paths, URLs, git refs for ADD, heredoc bodies) to a destination,
 * with `--from --chown --chmod --link --parents --exclude` (COPY) and
 * `--chown --chmod --link --exclude --checksum --keep-git-dir --unpack` (ADD).
 */
import { mustParseHeredoc, chompHeredocContent } from '../heredoc.js';
import { base, errNoDestinationArgument, InstructionError, type Expanders, type InstructionBase, type ParseRequest } from './types.js';

/** A heredoc used as a source file (`COPY <<EOF /etc/conf`). */
export interface SourceContent {
  /** The file name: the heredoc delimiter. */
  path: string;
  /** The body (tabs already stripped for `<<-`). */
  data: string;
  /** Whether variables in the body are expanded (false when the delimiter was quoted). */
  expand: boolean;
}

interface CopyLike extends InstructionBase {
  sources: string[];
  sourceContents: SourceContent[];
  dest: string;
  chown: string;
  chmod: string;
  link: boolean;
  exclude: string[];
}

export interface CopyInstruction extends CopyLike {
  kind: 'copy';
  /** `--from`: a stage name, a stage index or an image; empty for the build context. */
  from: string;
  parents: boolean;
}

export interface AddInstruction extends CopyLike {
  kind: 'add';
  checksum: string;
  /** `--keep-git-dir`; undefined when not given. */
  keepGitDir: boolean | undefined;
  /** `--unpack`; undefined when not given (archives from the context are unpacked, URLs not). */
  unpack: boolean | undefined;
}

function sourcesAndDest(req: ParseRequest, command: string): Pick<CopyLike, 'sources' | 'sourceContents' | 'dest'> {
  const srcs = req.args.slice(0, -1);
  const dest = req.args[req.args.length - 1]!;
  if (mustParseHeredoc(dest) !== null) throw new InstructionError(`${command} cannot accept a heredoc as a destination`);
  const byName = new Map(req.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const sourceContents: SourceContent[] = [];
  for (const src of srcs) {
    const h = mustParseHeredoc(src);
    if (h === null) {
      sources.push(src);
      continue;
    }
    let data = byName.get(h.name)?.content ?? '';
    if (h.chomp) data = chompHeredocContent(data);
    sourceContents.push({ path: h.name, data, expand: h.expand });
  }
  return { sources, sourceContents, dest };
}

export function parseCopy(req: ParseRequest): CopyInstruction {
  if (req.args.length < 2) throw errNoDestinationArgument('COPY');
  const chown = req.flags.addString('chown', '');
  const from = req.flags.addString('from', '');
  const chmod = req.flags.addString('chmod', '');
  const link = req.flags.addBool('link', false);
  const exclude = req.flags.addStrings('exclude');
  const parents = req.flags.addBool('parents', false);
  req.flags.parse();
  return {
    kind: 'copy',
    ...base(req),
    ...sourcesAndDest(req, 'COPY'),
    from: from.value,
    chown: chown.value,
    chmod: chmod.value,
    link: link.value === 'true',
    parents: parents.value === 'true',
    exclude: exclude.values,
  };
}

export function parseAdd(req: ParseRequest): AddInstruction {
  if (req.args.length < 2) throw errNoDestinationArgument('ADD');
  const chown = req.flags.addString('chown', '');
  const chmod = req.flags.addString('chmod', '');
  const link = req.flags.addBool('link', false);
  const keepGitDir = req.flags.addBool('keep-git-dir', false);
  const checksum = req.flags.addString('checksum', '');
  const unpack = req.flags.addBool('unpack', false);
  const exclude = req.flags.addStrings('exclude');
  req.flags.parse();
  return {
    kind: 'add',
    ...base(req),
    ...sourcesAndDest(req, 'ADD'),
    chown: chown.value,
    chmod: chmod.value,
    link: link.value === 'true',
    keepGitDir: req.flags.isUsed('keep-git-dir') ? keepGitDir.value === 'true' : undefined,
    checksum: checksum.value,
    unpack: req.flags.isUsed('unpack') ? unpack.value === 'true' : undefined,
    exclude: exclude.values,
  };
}

function expandSources<T extends CopyLike>(c: T, ex: Expanders): T {
  const raw = ex.raw;
  return {
    ...c,
    chown: ex.word(c.chown),
    chmod: ex.word(c.chmod),
    sources: c.sources.map((s) => ex.word(s)),
    dest: ex.word(c.dest),
    sourceContents: c.sourceContents.map((sc) => (sc.expand && raw !== undefined ? { ...sc, data: raw(sc.data) } : sc)),
  };
}

/** Flags, sources and destination expanded; heredoc bodies through `raw` unless their delimiter was quoted. */
export function expandCopy(c: CopyInstruction, ex: Expanders): CopyInstruction {
  return expandSources(c, ex);
}

export function expandAdd(c: AddInstruction, ex: Expanders): AddInstruction {
  return { ...expandSources(c, ex), checksum: ex.word(c.checksum) };
}
