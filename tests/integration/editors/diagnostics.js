// Helpers of run-editors.sh, one line per diagnostic: "ABSOLUTE-PATH|LINE|COLUMN|SEVERITY|MESSAGE".
//   node diagnostics.js expected DIAGNOSTICS.json          what rpcc reported (--diagnostics-format=json): the truth
//                                                         the editors' parses are compared with; the message gets
//                                                         the text format's "(did you mean 'x'?)" suffix
//   node diagnostics.js vscode TASKS.json TASK-LABEL OUTPUT  what VS Code's problem matcher of that task finds in
//                                                         rpcc's text OUTPUT: the matcher's regexp compiled as VS
//                                                         Code does (new RegExp(regexp)), run on each line, groups
//                                                         taken as the matcher says, severity mapped as VS Code maps
//                                                         it ("note" is Info), fileLocation autoDetect/relative
// Paths are resolved against the working directory, as the editors resolve them against theirs.
'use strict';
const fs = require('fs');
const path = require('path');
const [command, ...args] = process.argv.slice(2);
const out = [];

if (command === 'expected') {
  for (const line of fs.readFileSync(args[0], 'utf8').split('\n').filter(Boolean)) {
    const d = JSON.parse(line);
    if (d.path === null) continue;
    const fix = d.fixes && d.fixes.length ? ` (did you mean '${d.fixes[0].replacement}'?)` : '';
    out.push([path.resolve(d.path), d.line, d.column, d.severity, d.message + fix].join('|'));
  }
} else if (command === 'vscode') {
  const tasks = JSON.parse(fs.readFileSync(args[0], 'utf8')).tasks;
  const task = tasks.find((t) => t.label === args[1]);
  if (!task) throw new Error(`no task '${args[1]}'`);
  const matcher = task.problemMatcher;
  const pattern = matcher.pattern;
  const regexp = new RegExp(pattern.regexp);
  const [kind, base] = matcher.fileLocation;
  const workspace = process.cwd(); // ${workspaceFolder}: the tests run the task's command from there
  if (base !== '${workspaceFolder}' || !['relative', 'autoDetect', 'absolute'].includes(kind))
    throw new Error(`unexpected fileLocation ${JSON.stringify(matcher.fileLocation)}`);
  // VS Code's Severity.fromValue, then ProblemMatcher's fallbacks ('note' and 'hint' are Info).
  const severity = (value) => {
    const v = (value || '').toLowerCase();
    if (v === 'error') return 'error';
    if (v === 'warning' || v === 'warn') return 'warning';
    if (v === 'info' || v === 'note' || v === 'hint') return 'note';
    return matcher.severity || 'error';
  };
  for (const line of fs.readFileSync(args[2], 'utf8').split(/\r?\n/)) {
    const m = regexp.exec(line);
    if (!m) continue;
    const file = m[pattern.file];
    const resolved = path.isAbsolute(file) ? file : path.join(workspace, file);
    out.push([path.resolve(resolved), Number(m[pattern.line]), Number(m[pattern.column]),
      severity(m[pattern.severity]), m[pattern.message]].join('|'));
  }
} else {
  throw new Error(`unknown command ${command}`);
}
process.stdout.write(out.map((l) => l + '\n').join(''));
