// Preloaded into a bench service (`--require`, see BENCH_API_CPU_PROFILE_DIR in scripts/bench/stack.ts):
// samples the process's CPU with the inspector from start to exit and writes a .cpuprofile
// (open it in Chrome DevTools or speedscope). NODE_OPTIONS may not carry --cpu-prof, hence this.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // The in-process session answers synchronously, so the profile can be written in an exit handler.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
