import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeTar, type TarWriterEntry } from '../layer/index.js';
import { TarCheck } from './tar-check.js';
import { archiveDocuments } from './save.js';
import type { ImageRecord } from '../store/index.js';
import type { Digest } from '../oci/index.js';

async function tar(entries: TarWriterEntry[]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of writeTar(entries)) chunks.push(c);
  return Buffer.concat(chunks);
}

function check(bytes: Buffer, chunkSize = 7): TarCheck {
  const c = new TarCheck();
  for (let i = 0; i < bytes.length; i += chunkSize) c.update(bytes.subarray(i, i + chunkSize));
  c.end();
  return c;
}

const file = (path: string, body: string): TarWriterEntry => ({ header: { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: Buffer.byteLength(body), mtime: 0 }, body: Buffer.from(body) });

test('TarCheck accepts a tar fed in odd-sized chunks, with PAX headers, links and dirs, and counts its entries', async () => {
  const long = `${'d/'.repeat(80)}file`;
  const bytes = await tar([
    { header: { path: 'd/', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 } },
    file('d/a', 'hello\n'),
    file(long, 'x'.repeat(1000)),
    { header: { path: 'd/link', type: 'symlink', linkpath: 'a', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 0 } },
    { header: { path: 'd/hard', type: 'hardlink', linkpath: 'd/a', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0 } },
  ]);
  assert.equal(check(bytes).entries, 5);
  assert.equal(check(bytes, 512).entries, 5);
  // Go's reader also accepts a stream that ends at an entry boundary without the zero blocks.
  assert.equal(check(bytes.subarray(0, bytes.length - 1024)).entries, 5);
  assert.equal(check(Buffer.alloc(0)).entries, 0);
});

test('TarCheck refuses non-tar input, a bad checksum and truncation inside a body or header', async () => {
  const bytes = await tar([file('a', 'x'.repeat(2000))]);
  assert.throws(() => check(Buffer.from('<html>'.repeat(200))), /not a tar archive \(bad (number|header checksum)/);
  const corrupt = Buffer.from(bytes);
  corrupt[10] = 0x41;
  assert.throws(() => check(corrupt), /bad header checksum at byte 0/);
  assert.throws(() => check(bytes.subarray(0, 1000)), /truncated/);
  assert.throws(() => check(bytes.subarray(0, 300)), /truncated/);
});

test('archiveDocuments: docker-archive and OCI index entries per image and name; untagged images have RepoTags null', () => {
  const rec = (id: string, layer: string): ImageRecord =>
    ({
      id: `sha256:${id.repeat(64)}` as Digest,
      manifest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'m'.replace('m', id === 'a' ? 'c' : 'd').repeat(64)}` as Digest, size: 10 },
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${id.repeat(64)}` as Digest, size: 5 },
      layers: [{ digest: `sha256:${layer.repeat(64)}` as Digest, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 3, diffId: `sha256:${'e'.repeat(64)}` as Digest, chainId: `sha256:${'e'.repeat(64)}` as Digest }],
    }) as unknown as ImageRecord;
  const docs = archiveDocuments([
    { record: rec('a', '1'), tags: ['docker.io/library/busybox:latest', 'registry.example:5000/x/y:2'] },
    { record: rec('b', '2'), tags: [] },
  ]);
  assert.deepEqual(docs.manifest, [
    { Config: `blobs/sha256/${'a'.repeat(64)}`, RepoTags: ['busybox:latest', 'registry.example:5000/x/y:2'], Layers: [`blobs/sha256/${'1'.repeat(64)}`] },
    { Config: `blobs/sha256/${'b'.repeat(64)}`, RepoTags: null, Layers: [`blobs/sha256/${'2'.repeat(64)}`] },
  ]);
  assert.deepEqual(
    docs.index.manifests.map((m) => m.annotations),
    [
      { 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' },
      { 'io.containerd.image.name': 'registry.example:5000/x/y:2', 'org.opencontainers.image.ref.name': '2' },
      undefined,
    ],
  );
  assert.deepEqual(docs.repositories, { busybox: { latest: '1'.repeat(64) }, 'registry.example:5000/x/y': { '2': '1'.repeat(64) } });
});
