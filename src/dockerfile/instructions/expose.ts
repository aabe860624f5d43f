/** EXPOSE: ports the container listens on (`80`, `53/udp`, `8000-8010`), sorted as BuildKit keeps them. */
import { base, errAtLeastOneArgument, type Expanders, type InstructionBase, type ParseRequest } from './types.js';

export interface ExposeInstruction extends InstructionBase {
  kind: 'expose';
  ports: string[];
}

// Go's sort.Strings: byte order of UTF-8, which for strings is code point order.
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function parseExpose(req: ParseRequest): ExposeInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('EXPOSE');
  req.flags.parse();
  return { kind: 'expose', ...base(req), ports: [...req.args].sort(compareCodePoints) };
}

/** Each port word expanded; one word may become several (`EXPOSE $PORTS`). */
export function expandExpose(c: ExposeInstruction, ex: Expanders): ExposeInstruction {
  const words = ex.words ?? ((w: string) => [ex.word(w)]);
  return { ...c, ports: c.ports.flatMap((p) => words(p)) };
}
