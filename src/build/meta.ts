/**
 * Metadata instructions: each changes the image config and adds an `empty_layer` history entry
 * whose `created_by` is exactly what BuildKit writes (dockerfile2llb/convert.go), since users read
 * and compare those in `image history`. Pure: instructions arrive expanded.
 */
import type {
  AddInstruction,
  Command,
  CopyInstruction,
  RunInstruction,
  WorkdirInstruction,
} from '../dockerfile/index.js';
import { InvalidArgumentError } from '../errors.js';
import { goDuration, goList, goQuoteList } from '../go-compat.js';
import { commitHistory, withShell, type StageState } from './stage-state.js';

/** Every instruction that changes only the config: all but FROM and the filesystem steps. */
export type MetaInstruction = Exclude<Command, RunInstruction | CopyInstruction | AddInstruction | WorkdirInstruction>;

const META_KINDS = new Set(['arg', 'cmd', 'entrypoint', 'env', 'expose', 'healthcheck', 'label', 'maintainer', 'onbuild', 'shell', 'stopsignal', 'user', 'volume']);

export function isMetaInstruction(i: { kind: string }): i is MetaInstruction {
  return META_KINDS.has(i.kind);
}

export class InvalidInstructionValueError extends InvalidArgumentError {
  constructor(message: string) {
    super('INVALID_INSTRUCTION_VALUE', message);
  }
}

/**
 * Applies one expanded metadata instruction to the stage. ARG and ENV also update the stage's
 * variables (through `state.args`), which later words and RUN steps see.
 * @param created the history timestamp (RFC 3339), or undefined to leave it unset
 */
export function applyMeta(state: StageState, c: MetaInstruction, created: string | undefined): void {
  const cfg = state.image.config;
  switch (c.kind) {
    case 'env': {
      state.args.setExpandedEnv(c.env);
      cfg.Env = state.args.imageEnv();
      commitHistory(state, `ENV ${c.env.map((e) => `${e.key}=${e.value}`).join(' ')}`, false, created);
      return;
    }
    case 'arg': {
      const { history } = state.args.declareArgs(c.args.map((a) => (a.value === undefined ? { key: a.key } : { key: a.key, value: a.value })));
      commitHistory(state, history, false, created);
      return;
    }
    case 'label': {
      cfg.Labels ??= {};
      for (const l of c.labels) cfg.Labels[l.key] = l.value;
      commitHistory(state, `LABEL ${c.labels.map((l) => `${l.key}=${l.value}`).join(' ')}`, false, created);
      return;
    }
    case 'cmd': {
      const args = withShell(state, c.command.cmdLine, c.command.prependShell);
      cfg.Cmd = args;
      cfg.ArgsEscaped = true;
      state.cmdSet = true;
      commitHistory(state, `CMD ${goQuoteList(args)}`, false, created);
      return;
    }
    case 'entrypoint': {
      const args = withShell(state, c.command.cmdLine, c.command.prependShell);
      cfg.Entrypoint = args;
      if (!state.cmdSet) cfg.Cmd = null;
      commitHistory(state, `ENTRYPOINT ${goQuoteList(args)}`, false, created);
      return;
    }
    case 'healthcheck': {
      const h = c.health;
      cfg.Healthcheck = { Test: h.test };
      if (h.interval !== 0) cfg.Healthcheck.Interval = h.interval;
      if (h.timeout !== 0) cfg.Healthcheck.Timeout = h.timeout;
      if (h.startPeriod !== 0) cfg.Healthcheck.StartPeriod = h.startPeriod;
      if (h.startInterval !== 0) cfg.Healthcheck.StartInterval = h.startInterval;
      if (h.retries !== 0) cfg.Healthcheck.Retries = h.retries;
      // Go's %+v of dockerspec.HealthcheckConfig.
      const text =
        `{Test:${goList(h.test)} Interval:${goDuration(h.interval)} Timeout:${goDuration(h.timeout)} ` +
        `StartPeriod:${goDuration(h.startPeriod)} StartInterval:${goDuration(h.startInterval)} Retries:${h.retries}}`;
      commitHistory(state, `HEALTHCHECK ${text}`, false, created);
      return;
    }
    case 'user': {
      cfg.User = c.user;
      commitHistory(state, `USER ${c.user}`, false, created);
      return;
    }
    case 'volume': {
      cfg.Volumes ??= {};
      for (const v of c.volumes) {
        if (v === '') throw new InvalidInstructionValueError('VOLUME specified can not be an empty string');
        cfg.Volumes[v] = {};
      }
      commitHistory(state, `VOLUME ${goList(c.volumes)}`, false, created);
      return;
    }
    case 'stopsignal': {
      checkSignal(c.signal);
      cfg.StopSignal = c.signal;
      commitHistory(state, `STOPSIGNAL ${c.signal}`, false, created);
      return;
    }
    case 'shell': {
      cfg.Shell = [...c.shell];
      commitHistory(state, `SHELL ${goList(c.shell)}`, false, created);
      return;
    }
    case 'expose': {
      const ports = c.ports.flatMap(parsePortSpec);
      cfg.ExposedPorts ??= {};
      for (const p of ports) cfg.ExposedPorts[p] = {};
      commitHistory(state, `EXPOSE ${goList(ports)}`, false, created);
      return;
    }
    case 'onbuild': {
      // BuildKit records ONBUILD in the config only, with no history entry.
      cfg.OnBuild = [...(cfg.OnBuild ?? []), c.expression];
      return;
    }
    case 'maintainer': {
      state.image.author = c.maintainer;
      commitHistory(state, `MAINTAINER ${c.maintainer}`, false, created);
      return;
    }
  }
}

const SIGNAL_NAMES = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR',
  'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ',
]);

/** docker's signal.ParseSignal: a number, a name with or without SIG, or RTMIN+n. */
function checkSignal(s: string): void {
  if (/^[0-9]+$/.test(s) && Number(s) > 0 && Number(s) <= 64) return;
  const name = s.toUpperCase().replace(/^SIG/, '');
  if (SIGNAL_NAMES.has(name) || /^RTM(IN|AX)([+-][0-9]+)?$/.test(name)) return;
  throw new InvalidInstructionValueError(`Invalid signal: ${s}`);
}

/**
 * EXPOSE's `[ip:][hostPort:]port[-end][/proto]` → `port/proto` entries (protocol lower-cased, tcp
 * by default, ranges expanded), with BuildKit's messages.
 */
export function parsePortSpec(raw: string): string[] {
  const parts = raw.split(':');
  const containerPart = parts[parts.length - 1] ?? '';
  const slash = containerPart.indexOf('/');
  const port = slash < 0 ? containerPart : containerPart.slice(0, slash);
  let proto = slash < 0 ? 'tcp' : containerPart.slice(slash + 1);
  if (port === '') throw new InvalidInstructionValueError(`invalid port: "${raw}": no port specified: ${containerPart}<empty>`);
  if (proto === '') proto = 'tcp';
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) {
    throw new InvalidInstructionValueError(`invalid port: "${raw}": invalid proto: ${proto}`);
  }
  const [startText, endText] = port.split('-', 2);
  const start = portNumber(startText ?? '', port);
  const end = endText === undefined || endText === startText ? start : portNumber(endText, port);
  if (end < start) throw new InvalidInstructionValueError(`invalid containerPort: ${port}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}

function portNumber(text: string, whole: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > 65535) throw new InvalidInstructionValueError(`invalid containerPort: ${whole}`);
  return Number(text);
}
