import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runUserCli } from '../../couch/user-cli';

/** A run that must not reach any server: no COUCH_URL, and none is started. */
async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runUserCli(args, { env: {}, log: (line) => void out.push(line), error: (line) => void err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('npm run user -- --help (or -h, or help) prints the usage and succeeds', async () => {
  for (const ask of ['--help', '-h', 'help']) {
    const { code, out, err } = await run([ask]);
    assert.equal(code, 0, `${ask}: ${err}`);
    assert.match(out, /^usage: npm run user -- list \| add <name> --role <role>/, `${ask} prints the usage`);
    assert.equal(err, '', `${ask} prints no error`);
  }
});

test('a mistyped option is named, with the usage, as a usage error (2)', async () => {
  const { code, out, err } = await run(['add', 'carol', '--rol', 'inspector']);
  assert.equal(code, 2, err);
  assert.match(err, /Unknown option '--rol'/, 'names the option');
  assert.match(err, /usage: npm run user --/, 'shows the usage');
  assert.equal(out, '');
});

test('no command, or an unknown one, is a usage error (2)', async () => {
  for (const args of [[], ['delete', 'carol']]) {
    const { code, err } = await run(args);
    assert.equal(code, 2, `${args.join(' ')}: ${err}`);
    assert.match(err, /usage: npm run user --/, `${args.join(' ')} shows the usage`);
  }
});
