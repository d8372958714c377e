/**
 * Test fixtures: a real PKI made with the `openssl` CLI (an independent implementation):
 * root CA → intermediate CA → leaves with every supported key format, plus encrypted and
 * unsupported keys. For tests only.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Key formats a leaf can be made with. */
export type LeafKeyKind = 'rsa-pkcs1' | 'rsa-pkcs8' | 'ec-sec1' | 'ec-pkcs8' | 'ed25519';

export interface TestLeaf {
  certPem: string;
  keyPem: string;
}

export interface TestPki {
  rootPem: string;
  interPem: string;
  leaves: Record<LeafKeyKind, TestLeaf>;
  /** The ec-pkcs8 leaf's key encrypted as PKCS#8 ("ENCRYPTED PRIVATE KEY"). */
  encryptedPkcs8: string;
  /** The rsa-pkcs1 leaf's key with "Proc-Type: 4,ENCRYPTED". */
  encryptedRsaTraditional: string;
  /** The ec-sec1 leaf's key with "Proc-Type: 4,ENCRYPTED". */
  encryptedEcTraditional: string;
  /** An Ed448 key: valid PKCS#8, unsupported type. */
  ed448Key: string;
}

const keyCommands: Record<LeafKeyKind, string[]> = {
  'rsa-pkcs1': ['genrsa', '-traditional', '2048'],
  'rsa-pkcs8': ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'ec-sec1': ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'],
  'ec-pkcs8': ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ed25519: ['genpkey', '-algorithm', 'ED25519'],
};

async function openssl(args: string[]): Promise<string> {
  return (await run('openssl', args, { maxBuffer: 1 << 20 })).stdout;
}

/** Makes the whole PKI in a temporary directory (removed afterwards); takes a second or two. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-pki-'));
  try {
    const p = (name: string) => join(dir, name);
    const caExt = p('ca.ext');
    await writeFile(caExt, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      p('root.key'),
      '-out',
      p('root.pem'),
      '-subj',
      '/CN=Portico Test Root',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      p('inter.key'),
      '-out',
      p('inter.csr'),
      '-subj',
      '/CN=Portico Test Intermediate',
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      p('inter.csr'),
      '-CA',
      p('root.pem'),
      '-CAkey',
      p('root.key'),
      '-CAcreateserial',
      '-out',
      p('inter.pem'),
      '-days',
      '30',
      '-extfile',
      caExt,
    ]);
    const leafExt = p('leaf.ext');
    await writeFile(
      leafExt,
      'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:app.example.test,DNS:*.app.example.test,IP:127.0.0.1,IP:2001:db8::1\n',
    );
    const leaves = {} as Record<LeafKeyKind, TestLeaf>;
    for (const kind of Object.keys(keyCommands) as LeafKeyKind[]) {
      const keyPem = await openssl(keyCommands[kind]);
      await writeFile(p(`${kind}.key`), keyPem);
      await openssl([
        'req',
        '-new',
        '-key',
        p(`${kind}.key`),
        '-out',
        p(`${kind}.csr`),
        '-subj',
        '/C=DE/ST=Berlin/L=Berlin/O=Portico Test/OU=Edge/CN=app.example.test',
      ]);
      await openssl([
        'x509',
        '-req',
        '-in',
        p(`${kind}.csr`),
        '-CA',
        p('inter.pem'),
        '-CAkey',
        p('inter.key'),
        '-set_serial',
        '0x00ab12',
        '-out',
        p(`${kind}.pem`),
        '-days',
        '20',
        '-extfile',
        leafExt,
      ]);
      leaves[kind] = { certPem: await readFile(p(`${kind}.pem`), 'utf8'), keyPem };
    }
    return {
      rootPem: await readFile(p('root.pem'), 'utf8'),
      interPem: await readFile(p('inter.pem'), 'utf8'),
      leaves,
      encryptedPkcs8: await openssl(['pkcs8', '-topk8', '-in', p('ec-pkcs8.key'), '-passout', 'pass:secret']),
      encryptedRsaTraditional: await openssl([
        'rsa',
        '-in',
        p('rsa-pkcs1.key'),
        '-traditional',
        '-aes256',
        '-passout',
        'pass:secret',
      ]),
      encryptedEcTraditional: await openssl(['ec', '-in', p('ec-sec1.key'), '-aes256', '-passout', 'pass:secret']),
      ed448Key: await openssl(['genpkey', '-algorithm', 'ED448']),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
