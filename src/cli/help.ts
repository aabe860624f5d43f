/**
 * `--help` in docker's layout (its CLI's cobra templates, as docker 20.10 prints them): a blank
 * line, `Usage:  gantry images [OPTIONS] [REPOSITORY[:TAG]]`, the description, the aliases, the
 * options with the long-only ones indented past the short column and the value's name after the
 * flag (`--format string`), then the commands, and where to look next. commander's own layout
 * (`Usage: gantry images [options] <IMAGE>`, `-h, --help  display help for command`) is what a
 * docker user would notice first.
 */
import type { Command, Help } from 'commander';

/** Columns docker wraps its help to (a narrower terminal still gets 80). */
const WIDTH = 80;

/**
 * A command's usage in docker's notation: a usage the command sets is docker's already
 * (`SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`); commander's generated one (`[options] <IMAGE...>`)
 * is rewritten (`[OPTIONS] IMAGE [IMAGE...]`).
 */
export function dockerUsage(cmd: Command): string {
  return cmd
    .usage()
    .replace('[options]', '[OPTIONS]')
    .replace('[command]', 'COMMAND')
    .replace(/<([^>]+)\.\.\.>/g, (_m, n: string) => `${n.toUpperCase()} [${n.toUpperCase()}...]`)
    .replace(/<([^>]+)>/g, (_m, n: string) => n.toUpperCase())
    .replace(/\[([a-z][^\]]*)\]/g, (_m, n: string) => `[${n.toUpperCase()}]`);
}

/** The command's path as docker prints it: `gantry image ls`. */
function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Word-wraps `text` (its own line breaks kept) to lines of at most `width` columns. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    out.push(line);
  }
  return out;
}

/** Rows of `left  description`, the descriptions in one column, wrapped, continued under it. */
function table(rows: readonly [string, string][], gap: number): string[] {
  const left = Math.max(0, ...rows.map(([l]) => l.length)) + gap;
  const lines: string[] = [];
  for (const [l, d] of rows) {
    const desc = wrap(d, Math.max(20, WIDTH - left));
    lines.push(`${l.padEnd(left)}${desc[0] ?? ''}`.trimEnd());
    for (const more of desc.slice(1)) lines.push(`${' '.repeat(left)}${more}`.trimEnd());
  }
  return lines;
}

/** An option's flag column: `  -a, --all`, `      --format string`, as pflag lays them out. */
function flagText(flags: string, short: string | undefined, long: string | undefined): string {
  // A flag whose value may be left out (`--human [bool]`) is a boolean to docker: no type shown.
  const value = /\s<([^>]+)>/.exec(flags)?.[1];
  const name = long ?? short ?? flags;
  const head = short !== undefined && long !== undefined ? `  ${short}, ${long}` : `      ${name}`;
  return value === undefined ? head : `${head} ${value}`;
}

/** `cmd`'s help text in docker's layout. */
export function dockerHelp(cmd: Command, helper: Help): string {
  const path = pathOf(cmd);
  const subcommands = helper.visibleCommands(cmd).filter((c) => c.name() !== 'help');
  const isGroup = subcommands.length > 0;
  const usage = isGroup && cmd.parent !== null ? 'COMMAND' : dockerUsage(cmd);
  const out: string[] = ['', `Usage:  ${path} ${usage}`, ''];
  const description = cmd.description();
  if (description !== '') out.push(...wrap(description, WIDTH), '');
  if (cmd.aliases().length > 0) out.push('Aliases:', `  ${[cmd.name(), ...cmd.aliases()].join(', ')}`, '');
  // pflag lists flags sorted by their long name.
  const options = helper
    .visibleOptions(cmd)
    .filter((o) => o.long !== '--help')
    .sort((a, b) => (a.long ?? a.flags).localeCompare(b.long ?? b.flags));
  if (options.length > 0) {
    out.push('Options:', ...table(options.map((o) => [flagText(o.flags, o.short, o.long), o.description] as [string, string]), 3), '');
  }
  if (isGroup) {
    const sorted = [...subcommands].sort((a, b) => a.name().localeCompare(b.name()));
    // The top level lists the groups (`image`, `container`) apart, as docker's "Management Commands".
    const management = cmd.parent === null ? sorted.filter((c) => c.commands.length > 0) : [];
    const plain = sorted.filter((c) => !management.includes(c));
    // cobra pads names to at least 11 columns, then one space; descriptions are not wrapped.
    const pad = Math.max(11, ...sorted.map((c) => c.name().length));
    const section = (title: string, list: Command[]): string[] =>
      list.length === 0 ? [] : [title, ...list.map((c) => `  ${c.name().padEnd(pad)} ${c.description()}`.trimEnd()), ''];
    out.push(...section('Management Commands:', management), ...section('Commands:', plain));
    out.push(`Run '${path} COMMAND --help' for more information on a command.`);
  } else if (out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}
