/** The README's command list is the command line's: every command `octavo --help` names is there. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from './cli-process.ts';

const README = readFileSync(resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

it('lists every command of `octavo --help` in the README, after the Node hint', async () => {
  const help = (await runCli(['--help'])).stdout;
  const block = help.slice(help.indexOf('commands:\n') + 10, help.indexOf('\n\n', help.indexOf('commands:')));
  const names = block
    .split('\n')
    .map((line) =>
      line
        .trim()
        .split(' ')
        .filter((w) => /^[a-z]+$/.test(w)),
    )
    .map((words) =>
      words
        .slice(0, words[0] === 'share' || words[0] === 'serve' || words[0] === 'migrate' ? 1 : 2)
        .join(' '),
    );
  expect(names).toContain('rows import');
  expect(names).toContain('migrate');
  for (const name of names) expect(README, name).toContain(`npx octavo ${name}`);
  // The hint for an older Node comes before the first command that needs Node.
  expect(README.indexOf('scripts/node24.sh')).toBeLessThan(README.indexOf('npm install'));
});

it('has a configuration table row for every variable the configuration reads', () => {
  const config = readFileSync(resolve(import.meta.dirname, '..', '..', 'src', 'config.ts'), 'utf8');
  const names = new Set(config.match(/\b(?:OCTAVO_[A-Z_]+|PORT|DATABASE_URL)\b/g));
  expect(names.size).toBeGreaterThan(15);
  const table = README.slice(README.indexOf('## Configuration'));
  const rows = table.slice(0, table.indexOf('\n\n', table.indexOf('| setting')));
  for (const name of names) expect(rows, name).toMatch(new RegExp(`\`${name}[\`=]`));
});
