/** A self-signed certificate for 127.0.0.1 made with openssl, for TLS tests. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { cert, key };
}

export function htpasswdFile(path: string, user: string, password: string): void {
  // `htpasswd -B` (apache2-utils) writes the $2y$ bcrypt entries real deployments use.
  execFileSync('htpasswd', ['-B', '-b', '-c', path, user, password], { stdio: 'ignore' });
}
