import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { PushIdScan, readAsUtf8 } from '../../proxy/push-id-scan';

/** Whether the scan finds a `_local` doc in `body`, fed in the given chunks (cut at `cuts`). */
function finds(body: string | Buffer, cuts: number[] = []): boolean {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const scan = new PushIdScan();
  let found = false;
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    found = scan.write(bytes.subarray(from, cut)) || found;
    from = cut;
  }
  return found;
}

/** Fed one byte at a time, and cut in two at every position: the answer must not depend on the chunks. */
function findsAnyhowCut(body: string): boolean {
  const bytes = Buffer.from(body);
  const whole = finds(bytes);
  assert.equal(
    finds(
      bytes,
      Array.from({ length: bytes.length }, (_, i) => i),
    ),
    whole,
    `byte by byte: ${body}`,
  );
  for (let cut = 0; cut <= bytes.length; cut++) assert.equal(finds(bytes, [cut]), whole, `cut at ${cut}: ${body}`);
  return whole;
}

/** What the servers would write: a document of a top-level `docs` array whose `_id` starts with `_local/`. */
function oracle(json: string): boolean {
  const body = JSON.parse(json) as unknown;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { docs } = body as { docs?: unknown };
  return (
    Array.isArray(docs) &&
    docs.some(
      (doc) =>
        typeof doc === 'object' &&
        doc !== null &&
        typeof (doc as { _id?: unknown })._id === 'string' &&
        (doc as { _id: string })._id.startsWith('_local/'),
    )
  );
}

const photo = 'data:' + 'QUJD'.repeat(20);
const sample = JSON.stringify({
  docs: [
    {
      _id: 'defect:1',
      text: '_local/foo',
      note: { _id: '_local/nested' },
      _attachments: { 'a.jpg': { content_type: 'image/jpeg', data: photo } },
    },
    { _id: '_local/fieldbook-migration', lastId: 'x' },
  ],
  new_edits: false,
});

describe('PushIdScan', () => {
  test('finds a document’s `_local` id wherever the chunks are cut', () => {
    assert.equal(findsAnyhowCut(sample), true);
    assert.equal(findsAnyhowCut(sample.replace('"_local/fieldbook-migration"', '"inspection:1"')), false);
  });

  test('reads ids and keys as JSON decodes them', () => {
    for (const body of [
      String.raw`{"docs":[{"_id":"_\u006cocal/x"}]}`,
      String.raw`{"docs":[{"_id":"_local\/x"}]}`,
      String.raw`{"docs":[{"\u005fid":"_local/x"}]}`,
      String.raw`{"docs":[{"\u005F\u0069\u0064":"\u005F\u006C\u006F\u0063\u0061\u006c\u002Fx"}]}`,
      String.raw`{"\u0064ocs":[{"_id":"_local/x"}]}`,
      String.raw`{"do\u0063s":[{"_\u0069d":"_lo\u0063al\/"}]}`,
    ]) {
      assert.equal(oracle(body), true, body);
      assert.equal(findsAnyhowCut(body), true, body);
    }
    for (const body of [
      // Not `_local/`: another case, another character, a prefix only, a lookalike.
      String.raw`{"docs":[{"_id":"_Local/x"}]}`,
      String.raw`{"docs":[{"_id":"_local"}]}`,
      String.raw`{"docs":[{"_id":"_local\\x"}]}`,
      String.raw`{"docs":[{"_id":" _local/x"}]}`,
      String.raw`{"docs":[{"_id":"_local\u2215x"}]}`,
      String.raw`{"docs":[{"_id\u0000":"_local/x"}]}`,
      String.raw`{"docs":[{"_idx":"_local/x"}]}`,
      String.raw`{"docs":[{"id":"_local/x"}]}`,
      String.raw`{"docsx":[{"_id":"_local/x"}]}`,
      String.raw`{"Docs":[{"_id":"_local/x"}]}`,
    ]) {
      assert.equal(oracle(body), false, body);
      assert.equal(findsAnyhowCut(body), false, body);
    }
  });

  test('checks every `_id` of a document and every top-level `docs`', () => {
    for (const body of [
      '{"docs":[{"_id":"a","_id":"_local/x"}]}',
      '{"docs":[{"_id":"_local/x","_id":"a"}]}',
      '{"docs":[{"_id":"_local/x"}],"docs":[]}',
      '{"docs":[],"docs":[{"_id":"a"},{"_id":"_local/x"}]}',
      '{"docs":5,"docs":[{"_id":"_local/x"}]}',
      `{"docs":[{"a":"${'x'.repeat(40)}\\"${'y'.repeat(40)}\\\\${'z'.repeat(40)}","_id":"_local/x"}]}`,
    ]) {
      assert.equal(findsAnyhowCut(body), true, body);
    }
  });

  test('counts only a document’s own `_id`, never a text, a nested object’s `_id` or attachment data', () => {
    for (const body of [
      '{"docs":[{"_id":"defect:1","text":"_local/foo","_local/x":"_local/y"}]}',
      '{"docs":[{"note":{"_id":"_local/x"},"list":[{"_id":"_local/x"}],"deep":[[{"_id":"_local/x"}]]}]}',
      '{"docs":[{"_attachments":{"_local/a":{"data":"_local/","_id":"_local/x"}}}]}',
      '{"docs":[["_id","_local/x"],[{"_id":"_local/x"}],"_local/x",{"x":{"docs":[{"_id":"_local/x"}]}}]}',
      '{"_id":"_local/x","other":[{"_id":"_local/x"}],"nested":{"docs":[{"_id":"_local/x"}]}}',
      '{"docs":{"_id":"_local/x","a":{"_id":"_local/x"}}}',
      '[{"docs":[{"_id":"_local/x"}]}]',
      '"{\\"docs\\":[{\\"_id\\":\\"_local/x\\"}]}"',
      '{"docs":[{"a":"\\"_id\\":\\"_local/x\\"","b":"\\\\","_id":"ok"}]}',
      '{"docs":[{"_id":5,"x":"_local/x"},{"_id":null,"y":["_local/x"]},{"_id":{"_local/x":1}},{"_id":["_local/x"]}]}',
      '{"docs":[{"_id":"a"}],"x":"_local/x","new_edits":false}',
      // Escapes past the first bytes of a long string (looked for with indexOf there).
      `{"docs":[{"a":"${'x'.repeat(40)}\\",\\"_id\\":\\"_local/x${'y'.repeat(40)}\\\\","_id":"ok"}]}`,
    ]) {
      assert.equal(oracle(body), false, body);
      assert.equal(findsAnyhowCut(body), false, body);
    }
  });

  test('any whitespace JSON allows, and a UTF-8 byte order mark (PouchDB Server skips it)', () => {
    const spaced =
      ' \t\r\n{ \t\r\n"docs" \t\r\n: \t\r\n[ \t\r\n{ \t\r\n"a" : 1 , "_id" \t\r\n: \t\r\n"_local/x" \t\r\n} \t\r\n] \t\r\n} \t\r\n';
    assert.equal(findsAnyhowCut(spaced), true);
    assert.equal(findsAnyhowCut(JSON.stringify(JSON.parse(sample), null, '\t')), true);
    assert.equal(finds('\ufeff' + sample), true);
    assert.equal(findsAnyhowCut('{"docs":[{"é":"_local/x","_id":"ü_local/x","x":"\u{1f600}"},{"_id":"_local/ü"}]}'), true);
  });

  test('never throws on malformed input, and stays found once found', () => {
    for (const body of [
      '',
      '}}}]]]',
      '{"docs":[{"_id":"_loc',
      '{"docs":[{"_id":"\\u00',
      '{"docs":[{"_id":"\\uzz"}]}',
      '{"docs":[{"_id":"\\q"}]}',
      '{"docs":[{"_id"',
      '\\\\\\"""',
      '{"docs":[{"_id":"a"]}',
      '{{{{{{{{[[[[[[[',
    ]) {
      findsAnyhowCut(body);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300)), (bytes, cuts) => {
        finds(
          Buffer.from(bytes),
          [...new Set(cuts.filter((cut) => cut <= bytes.length))].sort((a, b) => a - b),
        );
      }),
      { numRuns: 2000 },
    );
    const scan = new PushIdScan();
    assert.equal(scan.write(Buffer.from('{"docs":[{"_id":"_local/')), true);
    assert.equal(scan.write(Buffer.from('x"}]}')), true);
    assert.equal(scan.write(Buffer.alloc(0)), true);
  });

  test('agrees with JSON.parse on any JSON, however escaped and cut', () => {
    const id = fc.oneof(
      fc.constantFrom('_local/x', '_local/', '_local', '_locaL/x', 'inspection:1', '', '_design/x'),
      fc.string(),
      fc.string({ unit: 'binary' }).map((tail) => '_local/' + tail),
    );
    const doc = fc.oneof(
      fc.record({ _id: id }, { requiredKeys: [] }),
      fc.record({ _id: id, x: fc.jsonValue(), _attachments: fc.dictionary(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
      fc.jsonValue(),
    );
    const body = fc.oneof(
      fc.record(
        { docs: fc.oneof(fc.array(doc, { maxLength: 5 }), fc.jsonValue()), new_edits: fc.boolean(), other: fc.jsonValue() },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(body, fc.array(fc.nat()), fc.integer({ min: 0, max: 3 }), fc.nat(), (value, cuts, escaping, seed) => {
        const json = escaped(JSON.stringify(value) ?? 'null', escaping, seed);
        const bytes = Buffer.from(json);
        const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        assert.equal(finds(bytes, at), oracle(json), json);
      }),
      { numRuns: 3000 },
    );
  });

  test('skips long strings without holding them, and finds a long `_local` id', () => {
    const megabytes = (n: number) => 'QUJD'.repeat(n * 256 * 1024);
    const big = megabytes(24);
    const bodies = [
      [`{"docs":[{"_id":"a","_attachments":{"p":{"data":"${big}"}}},{"_id":"_local/x"}]}`, true],
      [`{"docs":[{"_id":"_local/${big}"}]}`, true],
      [`{"docs":[{"_id":"a${big}"},{"text":"${megabytes(4).replace(/QUJD/g, '\\n\\"')}"}]}`, false],
      [`{"docs":[{"${big}":1,"_id":"b"}]}`, false],
    ] as const;
    for (const [body, local] of bodies) {
      const bytes = Buffer.from(body);
      const cuts = Array.from({ length: Math.floor(bytes.length / 65536) }, (_, i) => (i + 1) * 65536 - 7);
      const started = performance.now();
      assert.equal(finds(bytes, cuts), local);
      // Far quicker than that (tens of ms); a bound that a busy machine still meets.
      assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms for ${bytes.length} bytes`);
    }
  });
});

describe('readAsUtf8', () => {
  test('takes no charset, or UTF-8, and refuses any other', () => {
    for (const type of [undefined, '', 'application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      assert.equal(readAsUtf8(type), true, type);
    }
    for (const type of [
      'application/json; charset=utf-16le',
      'application/json; charset=utf-7',
      'application/json; charset=utf8',
      'application/json; charset=utf-8; charset=utf-16le',
      'application/json; charset=utf-8x',
      'application/json; x="; charset=utf-16"',
    ]) {
      assert.equal(readAsUtf8(type), false, type);
    }
  });
});

/**
 * The same JSON written with escapes JSON.parse reads back alike: `\/` for "/", `\uXXXX` (either
 * case) for any character of a string, `escaping` of 0 (none) to 3 (all), chosen by `seed`.
 */
function escaped(json: string, escaping: number, seed: number): string {
  if (escaping === 0) return json;
  let state = seed | 1;
  const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) % 3 < escaping;
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (!inString) {
      if (char === '"') inString = true;
      out += char;
      continue;
    }
    if (char === '\\') {
      const length = json[i + 1] === 'u' ? 6 : 2;
      out += json.slice(i, i + length);
      i += length - 1;
      continue;
    }
    if (char === '"') {
      inString = false;
      out += char;
      continue;
    }
    if (!random()) out += char;
    else if (char === '/' && state % 2) out += '\\/';
    else {
      const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
      out += '\\u' + (state % 2 ? hex.toUpperCase() : hex);
    }
  }
  return out;
}
