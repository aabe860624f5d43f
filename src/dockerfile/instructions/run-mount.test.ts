import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { csvFields } from './_csv.js';
import { parseMount, ramInBytes } from './run-mount.js';

const id = (w: string): string => w;

describe('RUN --mount', () => {
  it('reads CSV like encoding/csv, with its messages and byte columns', () => {
    assert.deepEqual(csvFields('a,"b,c",d'), ['a', 'b,c', 'd']);
    assert.deepEqual(csvFields('"a""b"'), ['a"b']);
    assert.throws(() => csvFields(''), { message: 'EOF' });
    assert.throws(() => csvFields('a,b"c'), { message: 'parse error on line 1, column 4: bare " in non-quoted-field' });
    assert.throws(() => csvFields('"ab'), { message: 'parse error on line 1, column 2: extraneous or missing " in quoted-field' });
    assert.throws(() => csvFields('"a"b'), { message: 'parse error on line 1, column 3: extraneous or missing " in quoted-field' });
  });

  it('reads only from= before expansion, deferring everything else', () => {
    assert.deepEqual(parseMount('type=bogus,from=build,size=x'), {
      type: 'bind', from: 'build', source: '', target: '', readOnly: true, sizeLimit: 0, id: '', sharing: '', required: false,
    });
  });

  it('defaults read-only by type: bind, secret and ssh read-only; cache and tmpfs writable', () => {
    assert.equal(parseMount('target=/a', id).readOnly, true);
    assert.equal(parseMount('type=cache,target=/a', id).readOnly, false);
    assert.equal(parseMount('type=tmpfs,target=/a', id).readOnly, false);
    assert.equal(parseMount('type=ssh', id).readOnly, true);
    assert.equal(parseMount('type=cache,target=/a,ro', id).readOnly, true);
  });

  it('refuses what BuildKit refuses once expanded', () => {
    const refuse = (spec: string, message: string): void => assert.throws(() => parseMount(spec, id), { message }, spec);
    refuse('type=cache,target', "invalid field 'target' must be a key=value pair");
    refuse('type=bind,required', "unexpected key 'required' for mount type 'bind'");
    refuse('type=bind,mode=0600', 'mode not allowed for "bind" type mounts');
    refuse('type=tmpfs,uid=1', 'uid not allowed for "tmpfs" type mounts');
    refuse('type=cache,mode=9', 'invalid value 9 for mode');
    refuse('type=cache,sharing=shard', 'unsupported sharing value "shard" (did you mean shared?)');
    refuse('type=bind,sharing=shared', 'invalid cache sharing set for bind mount');
    refuse('type=secret,from=x,id=a', 'secret mount should not have a from');
    refuse('type=secret,src=a,id=b', "both source and id can't be set");
    refuse('type=cache,ro=maybe', 'invalid value for ro: maybe');
    refuse('type=cache,targt=/x', "unexpected key 'targt' in 'targt=/x' (did you mean target?)");
  });

  it('reads tmpfs sizes like go-units RAMInBytes', () => {
    assert.equal(ramInBytes('1024'), 1024);
    assert.equal(ramInBytes('1k'), 1024);
    assert.equal(ramInBytes('1.5GiB'), 1.5 * 1024 ** 3);
    assert.equal(ramInBytes('2 mb'), 2 * 1024 ** 2);
    assert.throws(() => ramInBytes('1x'), { message: "invalid size: '1x'" });
  });
});
