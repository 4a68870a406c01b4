// The certificate `local serve` answers TLS with (the SQL connector only speaks https): made once per state
// directory for 127.0.0.1 and localhost, kept beside the state (key readable by the owner only) so a client that
// trusts it (NODE_EXTRA_CA_CERTS, or the driver's `ca` option) keeps trusting it across restarts.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServerCertificate {
  key: string;
  cert: string;
  /** Where the certificate (PEM) is, for clients to trust. */
  certFile: string;
}

const VALID_DAYS = 825;

export async function localCertificate(dir: string): Promise<ServerCertificate> {
  const folder = join(dir, 'tls');
  const keyFile = join(folder, 'key.pem');
  const certFile = join(folder, 'cert.pem');
  const [key, cert] = await Promise.all([readFile(keyFile, 'utf8').catch(() => undefined), readFile(certFile, 'utf8').catch(() => undefined)]);
  if (key && cert && !expired(cert)) return { key, cert, certFile };
  const now = new Date();
  // Loaded only to make a new certificate (a kept one is reused): the library is large.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, pems.private, { mode: 0o600 });
  await writeFile(certFile, pems.cert, { mode: 0o644 });
  return { key: pems.private, cert: pems.cert, certFile };
}

function expired(cert: string): boolean {
  try {
    return new Date(new X509Certificate(cert).validTo).getTime() < Date.now() + 86_400_000;
  } catch {
    return true;
  }
}
