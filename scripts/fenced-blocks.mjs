// The fenced code blocks of a Markdown file, for the tests that run a README's examples
// (bindings/js/test/readme.test.mjs, examples/web/e2e/readme.test.mjs): one parser, so
// both READMEs are read by the same CommonMark fence rules.

/** The fenced code blocks (``` or ~~~, up to 3 spaces in): line, info, lines, body. */
export function fencedBlocks(markdown) {
  const lines = markdown.split('\n');
  const fence = (line) => line.match(/^( {0,3})(`{3,}|~{3,})(.*)$/);
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fence(lines[i]);
    if (!open || (open[2][0] === '`' && open[3].includes('`'))) continue;
    const [, indent, marker, info] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = fence(lines[j]);
      if (close && close[2][0] === marker[0] && close[2].length >= marker.length && close[3].trim() === '') break;
      body.push(lines[j].replace(new RegExp(`^ {0,${indent.length}}`), ''));
    }
    blocks.push({ line: i + 1, info: info.trim(), lines: body, body: body.join('\n') + '\n' });
    i = j;
  }
  return blocks;
}
