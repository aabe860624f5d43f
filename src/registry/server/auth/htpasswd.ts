/**
 * Apache htpasswd files with bcrypt hashes (`htpasswd -B` writes `$2y$`), the only kind distribution
 * accepts too: other schemes (MD5 `$apr1$`, SHA1, crypt) are refused when the file loads rather than
 * silently never matching.
 *
 * bcrypt costs tens of milliseconds of CPU per check by design; a registry sees the same Basic
 * credentials on every request of a pull. Successful checks are remembered for a minute as a salted
 * SHA-256 of the password (never the password itself), so a pull does one bcrypt, not hundreds.
 */
import { readFile } from 'node:fs/promises';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { InvalidArgumentError } from '../../../errors.js';

const CACHE_MS = 60_000;

export class Htpasswd {
  readonly #hashes: Map<string, string>;
  readonly #salt = randomBytes(16);
  readonly #verified = new Map<string, { digest: Buffer; until: number }>();

  constructor(text: string, source = 'htpasswd') {
    this.#hashes = new Map();
    for (const [i, raw] of text.split('\n').entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new InvalidArgumentError('HTPASSWD_INVALID', `Cannot read ${source} line ${i + 1}: expected "user:hash"`);
      const user = line.slice(0, colon);
      const hash = line.slice(colon + 1);
      if (!/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
        throw new InvalidArgumentError('HTPASSWD_INVALID', `Cannot read ${source} line ${i + 1}: only bcrypt hashes are supported`, {
          hint: 'Create entries with "htpasswd -B"',
        });
      }
      this.#hashes.set(user, hash);
    }
  }

  static async load(path: string): Promise<Htpasswd> {
    return new Htpasswd(await readFile(path, 'utf8'), `"${path}"`);
  }

  get size(): number {
    return this.#hashes.size;
  }

  /** True when `password` is `user`'s. Unknown users cost a bcrypt too, so timing does not tell. */
  async verify(user: string, password: string): Promise<boolean> {
    const digest = createHash('sha256').update(this.#salt).update(user).update('\0').update(password).digest();
    const hit = this.#verified.get(user);
    if (hit !== undefined && hit.until > Date.now() && timingSafeEqual(hit.digest, digest)) return true;
    const hash = this.#hashes.get(user);
    // bcryptjs reads $2y$ as $2b$ (they are the same algorithm; only the prefix differs).
    dummy ??= bcrypt.hashSync(randomBytes(12).toString('hex'), 10);
    const ok = await bcrypt.compare(password, hash ?? dummy);
    if (ok && hash !== undefined) {
      this.#verified.set(user, { digest, until: Date.now() + CACHE_MS });
      return true;
    }
    return false;
  }
}

// A hash of a random secret, compared against for unknown users (made on first use: bcrypt is slow).
let dummy: string | undefined;
