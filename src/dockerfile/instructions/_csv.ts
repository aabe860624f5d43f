/**
 * One CSV record, as `--mount=` and `--device=` values are read (tonistiigi/go-csvvalue, which
 * follows Go's encoding/csv): fields split on commas, a field that starts with `"` is quoted and
 * `""` inside it is a quote. Errors carry encoding/csv's messages and byte columns.
 */
export function csvFields(input: string): string[] {
  let line = input;
  if (line.endsWith('\r\n')) line = line.slice(0, -2);
  else if (line.endsWith('\n')) line = line.slice(0, -1);
  if (line.length === 0) throw new Error('EOF');
  const fields: string[] = [];
  let pos = 0; // byte position, for messages
  const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
  const err = (p: number, what: string): Error => new Error(`parse error on line 1, column ${p + 1}: ${what}`);
  for (;;) {
    if (line.length === 0 || line[0] !== '"') {
      const i = line.indexOf(',');
      const field = i >= 0 ? line.slice(0, i) : line;
      const q = field.indexOf('"');
      if (q >= 0) throw err(pos + bytes(field.slice(0, q)), 'bare " in non-quoted-field');
      fields.push(field);
      if (i < 0) return fields;
      pos += bytes(field) + 1;
      line = line.slice(i + 1);
      continue;
    }
    // Quoted field.
    line = line.slice(1);
    pos += 1;
    let value = '';
    for (;;) {
      const i = line.indexOf('"');
      if (i < 0) throw err(pos, 'extraneous or missing " in quoted-field');
      value += line.slice(0, i);
      pos += bytes(line.slice(0, i)) + 1;
      line = line.slice(i + 1);
      if (line[0] === '"') {
        value += '"';
        line = line.slice(1);
        pos += 1;
        continue;
      }
      if (line[0] === ',') {
        fields.push(value);
        line = line.slice(1);
        pos += 1;
        break;
      }
      if (line.length === 0) {
        fields.push(value);
        return fields;
      }
      throw err(pos - 1, 'extraneous or missing " in quoted-field');
    }
  }
}
