// Applies the "fixes" of rpcc's JSON diagnostics (read from stdin) to the files they name, as an editor or a
// fix-it tool would: columns are 1-based byte offsets, the end is exclusive, and several fixes to one file are
// applied from the last to the first so that earlier ranges stay valid. Prints "path:line:column -> replacement".
'use strict';
const fs = require('fs');
const diagnostics = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const byFile = new Map();
for (const d of diagnostics) {
  for (const fix of d.fixes || []) {
    if (!byFile.has(d.path)) byFile.set(d.path, []);
    byFile.get(d.path).push(fix);
  }
}
for (const [path, fixes] of byFile) {
  const bytes = fs.readFileSync(path);
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lineStarts.push(i + 1);
  const offset = (line, column) => lineStarts[line - 1] + column - 1;
  const edits = fixes.map((f) => ({ start: offset(f.line, f.column), end: offset(f.end_line, f.end_column), f }));
  edits.sort((a, b) => b.start - a.start);
  let result = bytes;
  for (const e of edits) {
    result = Buffer.concat([result.subarray(0, e.start), Buffer.from(e.f.replacement, 'utf8'), result.subarray(e.end)]);
    console.log(`${path}:${e.f.line}:${e.f.column} -> ${e.f.replacement}`);
  }
  fs.writeFileSync(path, result);
}
