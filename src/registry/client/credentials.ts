/**
 * Registry credentials where docker keeps them: `$DOCKER_CONFIG/config.json` (default
 * `~/.docker/config.json`) with its `auths` map (base64 `user:password` in `auth`), a default
 * credential helper (`credsStore`) and per-registry helpers (`credHelpers`), which are programs
 * `docker-credential-<name>` speaking docker's helper protocol over stdin/stdout. The
 * `DOCKER_AUTH_CONFIG` variable (a config.json document) takes precedence, as in docker's CLI.
 *
 * So `gantry login`, `gantry pull` and `docker` share one set of credentials.
 *
 * Keys: Docker Hub's credentials live under `https://index.docker.io/v1/`; every other registry's
 * under its host[:port] (`authConfigKey`). Reading also matches legacy keys written as URLs
 * (`https://registry.example:5000/v2/` answers for `registry.example:5000`).
 *
 * Secrets read here are added to the caller's SecretSet when one is given, so that they are masked
 * in every message that follows.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { errnoCode, GantryError, InvalidArgumentError } from '../../errors.js';
import { REDACTED, SecretSet } from './redact.js';

/** What can authenticate to a registry. */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token ("identity token"), exchanged at the token realm for access tokens. */
  identityToken?: string;
  /** A bearer token to send as it is. */
  registryToken?: string;
}

/** Docker Hub's key in config.json and in credential helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** The config.json key for a registry domain (`docker.io` → DOCKER_HUB_AUTH_KEY, else the host[:port]). */
export function authConfigKey(domain: string): string {
  const host = convertToHostname(domain);
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return DOCKER_HUB_AUTH_KEY;
  return host;
}

/** `https://host:port/path` → `host:port`; a bare `host[:port][/…]` → `host[:port]` (docker's ConvertToHostname). */
export function convertToHostname(maybeUrl: string): string {
  if (maybeUrl.includes('://')) {
    try {
      const u = new URL(maybeUrl);
      if (u.hostname !== '') return u.port === '' ? u.hostname : `${u.hostname}:${u.port}`;
    } catch {
      // fall through to the plain split, as docker does when url.Parse fails
    }
  }
  const slash = maybeUrl.indexOf('/');
  return slash < 0 ? maybeUrl : maybeUrl.slice(0, slash);
}

/** The directory of docker's client config: `$DOCKER_CONFIG`, else `~/.docker`. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['DOCKER_CONFIG'];
  if (dir !== undefined && dir !== '') return dir;
  return join(env['HOME'] || homedir(), '.docker');
}

/** A config.json or DOCKER_AUTH_CONFIG that cannot be read. */
export class InvalidDockerConfigError extends InvalidArgumentError {
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super('INVALID_DOCKER_CONFIG', `Cannot read ${file}: ${reason}`, options);
  }
}

/** A credential helper that failed (not "credentials not found", which is not an error). */
export class CredentialHelperError extends GantryError {
  constructor(
    readonly helper: string,
    readonly operation: 'get' | 'store' | 'erase' | 'list',
    message: string,
    options: { hint?: string; cause?: unknown; missing?: boolean } = {},
  ) {
    super(options.missing ? 'failed-precondition' : 'unavailable', 'CREDENTIAL_HELPER', message, options);
  }
}

/** One `auths` entry as docker writes it. */
interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  email?: string;
  [extra: string]: unknown;
}

interface ConfigDocument {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [extra: string]: unknown;
}

function decodeEntry(entry: AuthEntry, file: string, key: string): Credentials {
  const out: Credentials = {};
  if (typeof entry.username === 'string' && entry.username !== '') out.username = entry.username;
  if (typeof entry.password === 'string' && entry.password !== '') out.password = entry.password;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(entry.auth.trim())) {
      throw new InvalidDockerConfigError(file, `the "auth" of "${key}" is not base64 of "username:password"`);
    }
    out.username = decoded.slice(0, colon);
    // docker trims NULs that some old tools padded the password with.
    out.password = decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '');
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') out.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') out.registryToken = entry.registrytoken;
  return out;
}

function isEmpty(c: Credentials | undefined): boolean {
  return c === undefined || (c.username === undefined && c.password === undefined && c.identityToken === undefined && c.registryToken === undefined);
}

/** The entry for `key`, or one whose key is a URL for the same host (docker's legacy lookup). */
function lookup(auths: Record<string, AuthEntry> | undefined, key: string): [string, AuthEntry] | undefined {
  if (auths === undefined) return undefined;
  const exact = Object.hasOwn(auths, key) ? auths[key] : undefined;
  if (exact !== undefined) return [key, exact];
  for (const [k, v] of Object.entries(auths)) if (convertToHostname(k) === key) return [k, v];
  return undefined;
}

export interface DockerConfigOptions {
  /** The config directory (default dockerConfigDir()). */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  /** Secrets read are added here, to be masked in later messages. */
  secrets?: SecretSet;
  signal?: AbortSignal;
}

/**
 * docker's client config: reads credentials for a registry and stores or erases them, through the
 * configured helper when there is one, else in config.json itself. Other members of config.json are
 * kept as they are when it is written back.
 */
export class DockerConfig {
  readonly file: string;
  readonly #doc: ConfigDocument;
  readonly #env: NodeJS.ProcessEnv;
  readonly #secrets: SecretSet;
  readonly #envAuths: Record<string, AuthEntry> | undefined;

  private constructor(file: string, doc: ConfigDocument, env: NodeJS.ProcessEnv, secrets: SecretSet, envAuths: Record<string, AuthEntry> | undefined) {
    this.file = file;
    this.#doc = doc;
    this.#env = env;
    this.#secrets = secrets;
    this.#envAuths = envAuths;
  }

  /**
   * Loads `<dir>/config.json`; a missing file is an empty config.
   * @throws {InvalidDockerConfigError} when the file or DOCKER_AUTH_CONFIG is not valid
   */
  static async load(opts: DockerConfigOptions = {}): Promise<DockerConfig> {
    const env = opts.env ?? process.env;
    const file = join(opts.dir ?? dockerConfigDir(env), 'config.json');
    const secrets = opts.secrets ?? new SecretSet();
    let doc: ConfigDocument = {};
    try {
      const text = await readFile(file, { encoding: 'utf8', signal: opts.signal });
      if (text.trim() !== '') doc = parseConfig(text, file);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') {
        if (err instanceof InvalidDockerConfigError) throw err;
        throw new InvalidDockerConfigError(file, (err as Error).message, { cause: err });
      }
    }
    let envAuths: Record<string, AuthEntry> | undefined;
    const fromEnv = env['DOCKER_AUTH_CONFIG'];
    if (fromEnv !== undefined && fromEnv !== '') envAuths = parseConfig(fromEnv, 'DOCKER_AUTH_CONFIG').auths ?? {};
    return new DockerConfig(file, doc, env, secrets, envAuths);
  }

  /** The helper that holds `key`'s credentials (`credHelpers[key]`, else `credsStore`), if any. */
  helperFor(key: string): string | undefined {
    const helpers = this.#doc.credHelpers;
    // Object.hasOwn: a registry named like a prototype member (`constructor`) must not find one.
    const specific = helpers !== undefined && Object.hasOwn(helpers, key) ? helpers[key] : undefined;
    if (typeof specific === 'string' && specific !== '') return specific;
    const store = this.#doc.credsStore;
    return store !== undefined && store !== '' ? store : undefined;
  }

  /**
   * Credentials for a registry domain (`docker.io`, `localhost:5000`), or undefined when there are none.
   * @throws {CredentialHelperError} when the helper fails (not when it has nothing)
   */
  async get(domain: string, opts: { signal?: AbortSignal } = {}): Promise<Credentials | undefined> {
    const key = authConfigKey(domain);
    const fromEnv = lookup(this.#envAuths, key);
    if (fromEnv !== undefined) {
      const c = decodeEntry(fromEnv[1], 'DOCKER_AUTH_CONFIG', fromEnv[0]);
      if (!isEmpty(c)) return this.#remember(c);
    }
    const helper = this.helperFor(key);
    let creds: Credentials | undefined;
    if (helper !== undefined) {
      creds = await helperGet(helper, key, { env: this.#env, secrets: this.#secrets, ...(opts.signal ? { signal: opts.signal } : {}) });
    } else {
      const entry = lookup(this.#doc.auths, key);
      creds = entry === undefined ? undefined : decodeEntry(entry[1], this.file, entry[0]);
    }
    return isEmpty(creds) ? undefined : this.#remember(creds as Credentials);
  }

  #remember(c: Credentials): Credentials {
    this.#secrets.addCredentials(c.username, c.password).add(c.identityToken, c.registryToken);
    return c;
  }

  /**
   * Saves credentials for a registry domain: through its helper when one is configured (config.json
   * then keeps an empty entry, as docker does), else base64-encoded in config.json.
   */
  async store(domain: string, creds: Credentials, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const key = authConfigKey(domain);
    this.#remember(creds);
    const helper = this.helperFor(key);
    const auths = (this.#doc.auths ??= {});
    if (helper !== undefined) {
      await helperStore(helper, key, creds, { env: this.#env, secrets: this.#secrets, ...(opts.signal ? { signal: opts.signal } : {}) });
      auths[key] = keepExtras(auths[key]);
    } else {
      const entry: AuthEntry = keepExtras(auths[key]);
      if (creds.username !== undefined || creds.password !== undefined) {
        entry.auth = Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`).toString('base64');
      }
      if (creds.identityToken !== undefined) entry.identitytoken = creds.identityToken;
      if (creds.registryToken !== undefined) entry.registrytoken = creds.registryToken;
      auths[key] = entry;
    }
    await this.save(opts);
  }

  /** Removes a registry's credentials (helper and config.json); true when config.json had an entry. */
  async erase(domain: string, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    const key = authConfigKey(domain);
    const helper = this.helperFor(key);
    if (helper !== undefined) {
      await helperErase(helper, key, { env: this.#env, secrets: this.#secrets, ...(opts.signal ? { signal: opts.signal } : {}) });
    }
    const auths = this.#doc.auths;
    if (auths === undefined || !(key in auths)) return false;
    delete auths[key];
    await this.save(opts);
    return true;
  }

  /**
   * Writes config.json atomically (temporary file, fsync, rename), mode 0600 in a 0700 directory,
   * keeping every member gantry does not manage.
   */
  async save(opts: { signal?: AbortSignal } = {}): Promise<void> {
    opts.signal?.throwIfAborted();
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    let mode = 0o600;
    try {
      mode = (await stat(this.file)).mode & 0o777;
    } catch {
      // a new file
    }
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    const handle = await open(tmp, 'w', mode);
    try {
      await handle.writeFile(`${JSON.stringify(this.#doc, null, '\t')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

/** An entry's non-secret members (email, …), for an entry whose secrets moved or change. */
function keepExtras(entry: AuthEntry | undefined): AuthEntry {
  if (entry === undefined) return {};
  const { auth: _a, username: _u, password: _p, identitytoken: _i, registrytoken: _r, ...rest } = entry;
  return rest;
}

function parseConfig(text: string, file: string): ConfigDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InvalidDockerConfigError(file, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidDockerConfigError(file, 'not a JSON object');
  const d = doc as ConfigDocument;
  if (d.auths !== undefined && (typeof d.auths !== 'object' || d.auths === null || Array.isArray(d.auths))) {
    throw new InvalidDockerConfigError(file, '"auths" is not an object');
  }
  if (d.credHelpers !== undefined && (typeof d.credHelpers !== 'object' || d.credHelpers === null)) {
    throw new InvalidDockerConfigError(file, '"credHelpers" is not an object');
  }
  if (d.credsStore !== undefined && typeof d.credsStore !== 'string') throw new InvalidDockerConfigError(file, '"credsStore" is not a string');
  return d;
}

// ---- The credential helper protocol ----

/** What helpers print when they hold nothing for a server (docker-credential-helpers' text). */
export const CREDENTIALS_NOT_FOUND = 'credentials not found in native keychain';
const MISSING_SERVER_URL = 'no credentials server URL';
const MISSING_USERNAME = 'no credentials username';
/** The username under which helpers keep an identity token. */
const TOKEN_USERNAME = '<token>';

export interface HelperOptions {
  env?: NodeJS.ProcessEnv;
  secrets?: SecretSet;
  signal?: AbortSignal;
}

interface HelperResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `docker-credential-<helper> <operation>` with `input` on stdin. */
function runHelper(helper: string, operation: 'get' | 'store' | 'erase' | 'list', input: string, opts: HelperOptions): Promise<HelperResult> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [operation], {
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      if (errnoCode(e) === 'ENOENT') {
        reject(
          new CredentialHelperError(helper, operation, `Cannot run ${program}: executable file not found in $PATH`, {
            missing: true,
            hint: `Install ${program}, or remove "${helper}" from credsStore/credHelpers in the docker config`,
            cause: e,
          }),
        );
      } else if (e.name === 'AbortError') {
        reject(opts.signal?.reason ?? e);
      } else {
        reject(new CredentialHelperError(helper, operation, `Cannot run ${program}: ${e.message}`, { cause: e }));
      }
    });
    child.on('close', (code) => {
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    // A helper that exits without reading stdin makes the write fail with EPIPE; the exit status tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function helperFailure(helper: string, operation: 'get' | 'store' | 'erase' | 'list', r: HelperResult, opts: HelperOptions): CredentialHelperError {
  const redact = (t: string): string => (opts.secrets ? opts.secrets.redact(t) : t);
  const out = redact(r.stdout.trim() || r.stderr.trim());
  const verb = { get: 'getting', store: 'storing', erase: 'erasing', list: 'listing' }[operation];
  return new CredentialHelperError(helper, operation, `Cannot use docker-credential-${helper}: error ${verb} credentials - exit status ${r.code ?? 'signal'}, out: \`${out}\``);
}

/**
 * `get`: the credentials a helper holds for `serverUrl`, or undefined when it holds none.
 * @throws {CredentialHelperError}
 */
export async function helperGet(helper: string, serverUrl: string, opts: HelperOptions = {}): Promise<Credentials | undefined> {
  const r = await runHelper(helper, 'get', serverUrl, opts);
  if (r.code !== 0) {
    const text = r.stdout.trim();
    if (text === CREDENTIALS_NOT_FOUND || r.stderr.trim() === CREDENTIALS_NOT_FOUND) return undefined;
    if (text === MISSING_SERVER_URL || text === MISSING_USERNAME) {
      throw new CredentialHelperError(helper, 'get', `Cannot use docker-credential-${helper}: ${text}`);
    }
    throw helperFailure(helper, 'get', r, opts);
  }
  let doc: { Username?: unknown; Secret?: unknown };
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    // Never echo the output: it may be the secret itself.
    throw new CredentialHelperError(helper, 'get', `Cannot use docker-credential-${helper}: its output is not JSON (${REDACTED})`);
  }
  const username = typeof doc.Username === 'string' ? doc.Username : '';
  const secret = typeof doc.Secret === 'string' ? doc.Secret : '';
  opts.secrets?.add(secret);
  if (username === '' && secret === '') return undefined;
  if (username === TOKEN_USERNAME) return { identityToken: secret };
  return { username, password: secret };
}

/**
 * `store`: saves credentials in the helper (an identity token under the username `<token>`).
 * @throws {CredentialHelperError}
 */
export async function helperStore(helper: string, serverUrl: string, creds: Credentials, opts: HelperOptions = {}): Promise<void> {
  const body =
    creds.identityToken !== undefined
      ? { ServerURL: serverUrl, Username: TOKEN_USERNAME, Secret: creds.identityToken }
      : { ServerURL: serverUrl, Username: creds.username ?? '', Secret: creds.password ?? '' };
  opts.secrets?.add(body.Secret);
  const r = await runHelper(helper, 'store', `${JSON.stringify(body)}\n`, opts);
  if (r.code !== 0) throw helperFailure(helper, 'store', r, opts);
}

/** `erase`: removes a server's credentials from the helper. @throws {CredentialHelperError} */
export async function helperErase(helper: string, serverUrl: string, opts: HelperOptions = {}): Promise<void> {
  const r = await runHelper(helper, 'erase', serverUrl, opts);
  if (r.code !== 0) throw helperFailure(helper, 'erase', r, opts);
}

/** `list`: server URL → username of everything the helper holds. @throws {CredentialHelperError} */
export async function helperList(helper: string, opts: HelperOptions = {}): Promise<Record<string, string>> {
  const r = await runHelper(helper, 'list', 'unused', opts);
  if (r.code !== 0) throw helperFailure(helper, 'list', r, opts);
  try {
    const doc = JSON.parse(r.stdout) as unknown;
    if (typeof doc !== 'object' || doc === null) throw new Error('not an object');
    return doc as Record<string, string>;
  } catch {
    throw new CredentialHelperError(helper, 'list', `Cannot use docker-credential-${helper}: its list output is not a JSON object`);
  }
}

/** Basic credentials as an `Authorization` header value; undefined without a username and password. */
export function basicAuthorization(creds: Credentials | undefined): string | undefined {
  if (creds?.username === undefined || creds.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}
