/**
 * Builder flags (`COPY --from=build --chown=1:1 …`): each instruction declares the flags it takes,
 * then the words the parser split off are checked against them, with BuildKit's messages.
 */
import { withSuggestion } from '../_go.js';

type FlagType = 'bool' | 'string' | 'strings';

/** One declared flag and, after `parse`, its value. */
export interface Flag {
  readonly name: string;
  readonly type: FlagType;
  /** A bool flag's value is `'true'` or `'false'`. */
  value: string;
  /** Every value of a repeatable (`strings`) flag, in order. */
  values: string[];
}

export class BuilderFlags {
  readonly args: readonly string[];
  readonly #flags = new Map<string, Flag>();
  readonly #used = new Map<string, Flag>();
  #error: string | undefined;

  constructor(args: readonly string[]) {
    this.args = args;
  }

  addBool(name: string, def: boolean): Flag {
    return this.#add(name, 'bool', def ? 'true' : 'false');
  }

  addString(name: string, def: string): Flag {
    return this.#add(name, 'string', def);
  }

  addStrings(name: string): Flag {
    return this.#add(name, 'strings', '');
  }

  #add(name: string, type: FlagType, value: string): Flag {
    if (this.#flags.has(name)) this.#error = `Duplicate flag defined: ${name}`;
    const flag: Flag = { name, type, value, values: [] };
    this.#flags.set(name, flag);
    return flag;
  }

  isUsed(name: string): boolean {
    return this.#used.has(name);
  }

  /** Names of the flags given, in the order first given. */
  used(): string[] {
    return [...this.#used.keys()];
  }

  /**
   * Checks the words against the declared flags and sets values.
   * A bare `--` ends the flags. Throws an Error with BuildKit's message.
   */
  parse(): void {
    if (this.#error !== undefined) throw new Error(`error setting up flags: ${this.#error}`);
    for (const a of this.args) {
      if (a === '--') return;
      if (!a.startsWith('--')) throw new Error(`arg should start with -- : ${a}`);
      const eq = a.indexOf('=');
      const flagName = eq < 0 ? a : a.slice(0, eq);
      const hasValue = eq >= 0;
      const value = hasValue ? a.slice(eq + 1) : '';
      const name = flagName.slice(2);
      const flag = this.#flags.get(name);
      if (flag === undefined) throw new Error(withSuggestion(`unknown flag: ${flagName}`, name, [...this.#flags.keys()], true));
      if (this.#used.has(name) && flag.type !== 'strings') throw new Error(`duplicate flag specified: ${flagName}`);
      this.#used.set(name, flag);
      switch (flag.type) {
        case 'bool':
          if (hasValue && value === '') throw new Error(`missing a value on flag: ${flagName}`);
          switch (value.toLowerCase()) {
            case 'true':
            case '':
              flag.value = 'true';
              break;
            case 'false':
              flag.value = 'false';
              break;
            default:
              throw new Error(`expecting boolean value for flag ${flagName}, not: ${value}`);
          }
          break;
        case 'string':
          if (!hasValue) throw new Error(`missing a value on flag: ${flagName}`);
          flag.value = value;
          break;
        case 'strings':
          if (!hasValue) throw new Error(`missing a value on flag: ${flagName}`);
          flag.values.push(value);
          break;
      }
    }
  }
}
