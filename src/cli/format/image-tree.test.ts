/** The tree view against docker/cli's `list-command-filter-dangling.*` goldens (conformance `treeView`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conformancePath } from '../../../test/helpers/paths.js';
import { formatImageTree, type TreeImage } from './image-tree.js';

interface TreeCase {
  name: string;
  args: string[];
  apiReturnsItems: number[];
  expectedStdout: string;
}
const file = conformancePath('docker-cli', 'image-ls-format-cases.json');

if (file === undefined) {
  test('image tree conformance (skipped: ../shared/conformance is absent)', { skip: true }, () => {});
} else {
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    treeView: { items: Array<{ ID: string; RepoTags: string[] }>; cases: TreeCase[] };
  };
  for (const c of data.treeView.cases) {
    test(`image tree: ${c.name}`, () => {
      const all = c.args.includes('--all');
      const danglingTrue = c.args.join(' ').includes('dangling=true');
      // The CLI hides untagged images unless --all or dangling=true (list.go).
      const items = c.apiReturnsItems
        .map((i) => data.treeView.items[i] as { ID: string; RepoTags: string[] })
        .filter((it) => all || danglingTrue || it.RepoTags.length > 0);
      const images: TreeImage[] = items.map((it) => ({ id: it.ID, repoTags: it.RepoTags, size: 0, contentSize: 0, containers: 0 }));
      assert.equal(formatImageTree(images), c.expectedStdout);
    });
  }
}

test('images in use get the U chip and names sort with untagged last', () => {
  const out = formatImageTree([
    { id: 'sha256:bbbbbbbbbbbbbbbb', repoTags: [], size: 10, contentSize: 5, containers: 0 },
    { id: 'sha256:aaaaaaaaaaaaaaaa', repoTags: ['zz:1', 'aa:1'], size: 2_130_000, contentSize: 1_000_000, containers: 2 },
  ]);
  assert.equal(
    out,
    'IMAGE        ID             DISK USAGE   CONTENT SIZE   EXTRA\n' +
      'aa:1         aaaaaaaaaaaa       2.13MB            1MB   U    \n' +
      'zz:1         aaaaaaaaaaaa       2.13MB            1MB   U    \n' +
      '<untagged>   bbbbbbbbbbbb          10B             5B        \n',
  );
});
