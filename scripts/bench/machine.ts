import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { TOOL_PATHS } from '../stack/paths';

/** What the figures were measured on. */
export interface MachineInfo {
  nproc: number;
  totalMemory: string;
  cpuModel: string;
  node: string;
  temporalCli: string;
  os: string;
}

/** nproc, total memory, CPU model (/proc/cpuinfo), Node and Temporal CLI versions. */
export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // no coreutils nproc
  }
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(TOOL_PATHS.temporal, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // not installed
  }
  return {
    nproc,
    totalMemory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    cpuModel,
    node: process.version,
    temporalCli,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}
