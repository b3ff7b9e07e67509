import forge from 'node-forge';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A CA generated at start, and a server certificate for 127.0.0.1 / ::1 / localhost signed by it. */
export interface LocalTls {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

function newSerial(): string {
  return forge.util.bytesToHex(forge.random.getBytesSync(9)).replace(/^[89a-f]/, '1');
}

const DAY_MS = 24 * 3600_000;

/** A self-signed CA certificate and its key, valid from a minute ago for `validDays`. */
function createCa(commonName: string, validDays: number): { certPem: string; keyPem: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const ca = forge.pki.createCertificate();
  ca.publicKey = keys.publicKey;
  ca.serialNumber = newSerial();
  ca.validity.notBefore = new Date(Date.now() - 60_000);
  ca.validity.notAfter = new Date(Date.now() + validDays * DAY_MS);
  const name = [{ name: 'commonName', value: commonName }];
  ca.setSubject(name);
  ca.setIssuer(name);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(ca), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

export function generateLocalTls(commonName = 'aml-registry-lockdown local Azure CA'): LocalTls {
  const ca = createCa(commonName, 7);
  const server = issueServerCert(ca);
  return { caCertPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem };
}

/** A certificate authority kept on disk (like mkcert's): trusted by pointing NODE_EXTRA_CA_CERTS at `certFile`. */
export interface DevCa {
  certFile: string;
  certPem: string;
  keyPem: string;
}

/**
 * Loads the checkout's development CA from `dir`, creating it on first use. Node reads
 * NODE_EXTRA_CA_CERTS only at start, so `npm test` / `npm start` make sure this file exists
 * and start the processes that talk to the local Azure with it; each server start then issues
 * a fresh leaf certificate from it.
 */
export function loadOrCreateDevCa(dir: string): DevCa {
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const certPem = readFileSync(certFile, 'utf8');
    const cert = forge.pki.certificateFromPem(certPem);
    if (cert.validity.notAfter.getTime() > Date.now() + DAY_MS) {
      return { certFile, certPem, keyPem: readFileSync(keyFile, 'utf8') };
    }
  }
  mkdirSync(dir, { recursive: true });
  const { certPem, keyPem } = createCa('aml-registry-lockdown development CA', 365);
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  writeFileSync(certFile, certPem);
  return { certFile, certPem, keyPem };
}

/** A leaf certificate for localhost, 127.0.0.1 and ::1 signed by the given CA. */
export function issueServerCert(ca: Pick<DevCa, 'certPem' | 'keyPem'>): { certPem: string; keyPem: string } {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = newSerial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 7 * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}
