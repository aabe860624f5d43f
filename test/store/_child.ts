/**
 * A child process for multi-process store tests: `node _child.js <mode> <root> …`. Modes:
 * - `write <ref> <seed> <size>`: writes test bytes as a blob, prints its descriptor;
 * - `write-hang <ref> <seed> <size>`: writes half, prints `ready`, waits to be killed;
 * - `put-hang <seed>`: stores an image's blobs, prints `ready` before recording it, waits;
 * - `tags <prefix> <n>`: puts one image, then tags it n times, one transaction each;
 * - `tags-forever <prefix>`: puts one image, prints `ready`, then tags it until killed.
 */
import { openStore, withLease, writeBlob } from '../../src/store/index.js';
import { digestOf } from '../../src/oci/digest.js';
import { testBytes, chunks } from './_data.js';
import { putTestImage } from '../helpers/store-images.js';

const [mode, root, ...args] = process.argv.slice(2);
const store = openStore({ root: root! });
const hang = (): Promise<never> => new Promise(() => setInterval(() => {}, 1 << 30));

switch (mode) {
  case 'write': {
    const [ref, seed, size] = args;
    const data = testBytes(Number(seed), Number(size));
    const d = await writeBlob(store.content, ref!, chunks(data), { digest: digestOf(data), size: data.length });
    process.stdout.write(JSON.stringify(d) + '\n');
    break;
  }
  case 'write-hang': {
    const [ref, seed, size] = args;
    const data = testBytes(Number(seed), Number(size));
    const w = await store.content.writer(ref!, { expected: { digest: digestOf(data), size: data.length } });
    await w.write(data.subarray(0, data.length >> 1));
    process.stdout.write('ready\n');
    await hang();
    break;
  }
  case 'put-hang': {
    // The image's blobs are committed, then the process stops before (or, killed, instead of) its put.
    const realPut = store.images.put.bind(store.images);
    store.images.put = async () => {
      process.stdout.write('ready\n');
      return hang();
    };
    void realPut;
    await putTestImage(store, { names: [`hang:${args[0]}`], seed: `hang-${args[0]}` });
    break;
  }
  case 'tags': {
    const [prefix, n] = args;
    // Under a lease: a collection in another process must not take the blobs before the put.
    const img = await withLease(store.leases, (l) => putTestImage(store, { seed: `tags-${prefix}`, lease: l.id }));
    for (let i = 0; i < Number(n); i++) store.images.tag(img.id, `${prefix}/app:${i}`);
    process.stdout.write(`${img.id}\n`);
    break;
  }
  case 'tags-forever': {
    const [prefix] = args;
    const img = await withLease(store.leases, (l) => putTestImage(store, { seed: `forever-${prefix}`, names: [`${prefix}/app:first`], lease: l.id }));
    process.stdout.write('ready\n');
    for (let i = 0; ; i++) {
      store.images.tag(img.id, `${prefix}/app:${i}`);
      if (i % 50 === 0) store.images.untag(`${prefix}/app:${i}`);
    }
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
store.close();
