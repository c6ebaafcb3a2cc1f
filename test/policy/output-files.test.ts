import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { contentsOf } from '../../src/policy/contents';
import { PolicyInput } from '../../src/policy/input';
import { readOutputFolders, textDigest } from '../../src/policy/output-files';

describe('readOutputFolders: texts already known are skipped', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'output-files-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The files `readOutputFolders` adds as texts from `texts` (a folder of plain files) with `known` texts known. */
  function added(files: { [name: string]: Buffer }, known: string[]): Array<{ file: string; text: string }> {
    for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
    const input = new PolicyInput();
    readOutputFolders(input, { texts: [dir], knownDigests: new Set(known.map(textDigest)), displayPath: f => path.basename(f) });
    return contentsOf(input).texts.map(t => ({ file: t.file, text: t.text }));
  }

  test('a copy of a known text (its UTF-8 bytes) is skipped; other files are added once, decoded as before', () => {
    const chart = 'apiVersion: v2\nname: tenant-base\n# é ünïcode\n';
    expect(added({
      'copy.yaml': Buffer.from(chart, 'utf8'),
      'other.yaml': Buffer.from('name: other\n', 'utf8'),
      'again.yaml': Buffer.from('name: other\n', 'utf8'),
    }, [chart])).toEqual([{ file: 'again.yaml', text: 'name: other\n' }]);
  });

  test('bytes that are not UTF-8 but decode to a known text are still skipped (decoded, then found by the text\'s digest)', () => {
    // 0xFF decodes to U+FFFD, whose UTF-8 is EF BF BD: the file's bytes are not the known text's, its decoding is.
    const known = 'a\uFFFDb\n';
    expect(added({ 'invalid.txt': Buffer.from([0x61, 0xff, 0x62, 0x0a]), 'plain.txt': Buffer.from('x\n') }, [known]))
      .toEqual([{ file: 'plain.txt', text: 'x\n' }]);
  });
});
