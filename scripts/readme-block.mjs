// Prints the body of the one fenced block of a Markdown file whose info string is
// exactly INFO (`node scripts/readme-block.mjs README.md "python getting-started"`):
// how scripts/consumers.sh takes the README's getting-started examples as written.
// Fails when there is no such block, or more than one.
import { readFileSync } from 'node:fs';
import { fencedBlocks } from './fenced-blocks.mjs';

const [file, info] = process.argv.slice(2);
if (!file || !info) {
  console.error('usage: node scripts/readme-block.mjs FILE INFO');
  process.exit(2);
}
const found = fencedBlocks(readFileSync(file, 'utf8')).filter((b) => b.info === info);
if (found.length !== 1) {
  console.error(`${file}: ${found.length} blocks are \`\`\`${info}, expected exactly one`);
  process.exit(1);
}
process.stdout.write(found[0].body);
