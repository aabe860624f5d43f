/**
 * `gantry login [SERVER]` and `gantry logout [SERVER]`, as docker's: the credentials are checked
 * against the registry before they are stored (config.json, or the configured credential helper).
 * The password comes from `--password-stdin` (or `-p`, with docker's warning); it never reaches an
 * error message or a child's argument list.
 */
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { ArgumentCountError, UsageError } from '../errors.js';
import { write } from '../io.js';
import type { CommandIO } from '../io.js';
import type { TransferFlags } from './_registry.js';

interface LoginFlags extends TransferFlags {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

async function readStdin(io: CommandIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** docker's server argument: a hostname, or a URL; none means Docker Hub. */
async function serverDomain(arg: string | undefined): Promise<{ domain: string; display: string }> {
  const { convertToHostname, DOCKER_HUB_AUTH_KEY } = await import('../../registry/client/index.js');
  if (arg === undefined || arg === '' || convertToHostname(arg) === 'index.docker.io' || convertToHostname(arg) === 'docker.io' || convertToHostname(arg) === 'registry-1.docker.io') {
    return { domain: 'docker.io', display: DOCKER_HUB_AUTH_KEY };
  }
  const host = convertToHostname(arg);
  return { domain: host, display: host };
}

const loginHandler: Handler<LoginFlags> = async (args, opts, io) => {
  if (args.length > 1) throw new ArgumentCountError('at most 1 argument', 'gantry login');
  if (opts.password !== undefined) {
    await write(io.stderr, 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (opts.passwordStdin === true) throw new UsageError('--password and --password-stdin are mutually exclusive');
  }
  let password = opts.password;
  if (opts.passwordStdin === true) {
    if (opts.username === undefined) throw new UsageError('Must provide --username with --password-stdin');
    password = await readStdin(io);
  }
  if (opts.username === undefined || password === undefined) {
    throw new UsageError('Cannot perform an interactive login from a non TTY device');
  }
  const { domain } = await serverDomain(args[0]);
  const { registryClient } = await import('./_registry.js');
  const client = await registryClient(io, opts);
  client.secrets.addCredentials(opts.username, password);
  const { verifyLogin, RegistryResponseError, registryHost } = await import('../../registry/client/index.js');
  let result;
  try {
    result = await verifyLogin({
      domain,
      credentials: { username: opts.username, password },
      fetch: client.fetch as typeof fetch,
      secrets: client.secrets,
      insecureRegistries: client.insecureRegistries(domain),
      signal: io.signal,
    });
  } catch (err) {
    if (err instanceof RegistryResponseError) {
      const url = `https://${registryHost(domain)}/v2/`;
      await write(io.stderr, `Error response from daemon: Get "${url}": ${client.secrets.redact(err.registryMessage)}\n`);
      return 1;
    }
    const { findGantryError } = await import('../../errors.js');
    const g = findGantryError(err);
    const text = client.secrets.redact(g?.message ?? (err instanceof Error ? `${err.message}${(err as { cause?: { message?: string } }).cause?.message ? `: ${(err as { cause?: { message?: string } }).cause?.message}` : ''}` : String(err)));
    await write(io.stderr, `Error response from daemon: Get "https://${registryHost(domain)}/v2/": ${text}\n`);
    return 1;
  }
  const creds = result.identityToken !== undefined ? { username: opts.username, identityToken: result.identityToken } : { username: opts.username, password };
  const { authConfigKey } = await import('../../registry/client/index.js');
  await client.docker.store(domain, creds, { signal: io.signal });
  if (client.docker.helperFor(authConfigKey(domain)) === undefined) {
    await write(
      io.stderr,
      `WARNING! Your password will be stored unencrypted in ${client.docker.file}.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/engine/reference/commandline/login/#credential-stores\n\n`,
    );
  }
  await write(io.stdout, 'Login Succeeded\n');
  return 0;
};

const logoutHandler: Handler<Record<string, never>> = async (args, _opts, io) => {
  if (args.length > 1) throw new ArgumentCountError('at most 1 argument', 'gantry logout');
  const { domain, display } = await serverDomain(args[0]);
  const { DockerConfig, SecretSet } = await import('../../registry/client/index.js');
  const config = await DockerConfig.load({ env: io.env as NodeJS.ProcessEnv, secrets: new SecretSet() });
  const had = await config.get(domain, { signal: io.signal }).catch(() => undefined);
  const erased = await config.erase(domain, { signal: io.signal });
  if (!erased && had === undefined) {
    await write(io.stdout, `Not logged in to ${display}\n`);
    return 0;
  }
  await write(io.stdout, `Removing login credentials for ${display}\n`);
  return 0;
};

export function register({ program }: Groups, cli: Cli): void {
  program
    .command('login')
    .description('Authenticate to a registry')
    .argument('[server]')
    .option('-u, --username <name>', 'Username')
    .option('-p, --password <password>', 'Password or Personal Access Token (PAT)')
    .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin')
    .option('--tls-verify [bool]', 'Require HTTPS and verify certificates')
    .action(cli.action(loginHandler));
  program.command('logout').description('Log out from a registry').usage('[SERVER]').argument('[server]').action(cli.action(logoutHandler));
}
