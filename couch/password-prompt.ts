import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** A password from FIELDBOOK_PASSWORD, or typed twice at a prompt that does not echo it. */
export async function readNewPassword(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env['FIELDBOOK_PASSWORD'];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new Error('no terminal to ask for the password on: set FIELDBOOK_PASSWORD');
  const password = await askHidden(`Password for ${name}: `);
  if (!password) throw new Error('a password is required');
  if ((await askHidden('Repeat it: ')) !== password) throw new Error('the passwords differ');
  return password;
}

async function askHidden(question: string): Promise<string> {
  let muted = false;
  // readline echoes what is typed to its output: give it one that stays silent while muted.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const prompt = createInterface({ input: process.stdin, output, terminal: true });
  try {
    process.stdout.write(question);
    muted = true;
    return await prompt.question('');
  } finally {
    prompt.close();
    process.stdout.write('\n');
  }
}
