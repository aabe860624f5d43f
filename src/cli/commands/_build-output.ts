/**
 * `gantry build --output`: where the built image goes besides the store. BuildKit's exporters:
 * `type=image` (the store; the default), `type=local,dest=DIR` (the final filesystem as files),
 * `type=tar,dest=FILE|-` (that filesystem as one tar), `type=docker|oci,dest=FILE|-` (an image
 * archive, as `gantry image save` writes it: docker's manifest.json plus an OCI layout).
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../errors.js';
import type { ImageRecord, Store } from '../../store/index.js';
import type { CommandIO } from '../io.js';

export interface OutputSpec {
  type: 'image' | 'local' | 'tar' | 'docker' | 'oci';
  dest?: string;
}

/** Parses `-o type=local,dest=out` (and the shorthand `-o out`, which means `type=local`). */
export function parseOutput(spec: string): OutputSpec {
  if (!spec.includes('=')) return spec === '-' ? { type: 'tar', dest: '-' } : { type: 'local', dest: spec };
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    fields.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? '' : part.slice(eq + 1));
  }
  const type = fields.get('type') ?? 'local';
  if (!['image', 'local', 'tar', 'docker', 'oci', 'registry'].includes(type)) {
    throw new InvalidArgumentError('OUTPUT_UNSUPPORTED', `Cannot export to output type "${type}": use image, local, tar, docker or oci`);
  }
  if (type === 'registry') {
    throw new InvalidArgumentError('OUTPUT_UNSUPPORTED', 'Cannot export to output type "registry": build with -t, then `gantry push`');
  }
  const dest = fields.get('dest');
  if (type !== 'image' && (dest === undefined || dest === '')) throw new InvalidArgumentError('OUTPUT_NO_DEST', `Cannot export to ${type}: dest= is required`);
  return { type: type as OutputSpec['type'], ...(dest === undefined ? {} : { dest }) };
}

export async function writeOutput(store: Store, image: ImageRecord, out: OutputSpec, io: CommandIO): Promise<void> {
  const signal = io.signal;
  if (out.type === 'image') return;
  const sink = (): NodeJS.WritableStream => (out.dest === '-' ? (io.stdout as unknown as NodeJS.WritableStream) : createWriteStream(out.dest as string));
  if (out.type === 'docker' || out.type === 'oci') {
    const { saveArchive } = await import('../../archive/index.js');
    // BuildKit's OCI exporter writes gzip layers; its docker exporter is for `docker load`, which takes them as stored.
    await pipeline(Readable.from(saveArchive(store, [{ record: image, tags: image.repoTags }], { signal, gzipLayers: out.type === 'oci' })), sink(), { end: out.dest !== '-' });
    return;
  }
  // local / tar: the final filesystem, the layers applied in order.
  const { applyLayer, createLayer } = await import('../../layer/index.js');
  const { openVerified } = await import('../../store/index.js');
  const root = out.type === 'local' ? (out.dest as string) : mkdtempSync(join(store.layout.tmp, 'output-'));
  mkdirSync(root, { recursive: true });
  try {
    for (const l of image.layers) await applyLayer(await openVerified(store.content, l, { signal }), root, { signal });
    if (out.type === 'tar') {
      const stream = sink();
      await createLayer({ kind: 'tree', root }, async (chunk) => {
        if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
      }, { compression: 'none', signal });
      if (out.dest !== '-') await new Promise<void>((r) => stream.end(r));
    }
  } finally {
    if (out.type === 'tar') rmSync(root, { recursive: true, force: true });
  }
}
