// Runs one stack child so that it cannot outlive the process that started it:
//   node supervise.cjs <command> [args...]
// The launcher keeps our stdin open and never writes to it. When the launcher
// dies, however it dies (Ctrl-C under Jest, SIGKILL, a crash), the pipe closes
// and we kill our whole process group, the child included. SIGTERM and SIGINT
// are passed on to the child, and we exit the way it exited.
'use strict';
const { spawn } = require('node:child_process');

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

const forward = (signal) => child.kill(signal);
process.on('SIGTERM', forward);
process.on('SIGINT', forward);

const orphaned = () => {
  try {
    process.kill(-process.pid, 'SIGKILL'); // we lead the group (spawned detached)
  } catch {
    child.kill('SIGKILL');
    process.exit(137);
  }
};
process.stdin.on('end', orphaned);
process.stdin.on('error', orphaned);
process.stdin.resume();

child.on('error', (error) => {
  process.stderr.write(`cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
