// Versions a support engineer asks for first: ours, Node's, the OS, and the sensor's.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, hostname, release, type } from 'node:os';
import { VERSION } from '../version.js';

export interface Versions {
  threatlink: string;
  node: string;
  os: { type: string; release: string; arch: string; pretty_name: string | null; hostname: string };
  suricata: string | null;
  snort: string | null;
}

function prettyName(): string | null {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}

/** First non-empty output line of `cmd args`, or null when it is not installed or fails. */
function firstLine(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000 }, (err, stdout, stderr) => {
      const line = `${stdout}\n${stderr}`.split('\n').map((l) => l.trim()).find((l) => /\d+\.\d+/.test(l));
      resolve(err && !line ? null : (line ?? null));
    });
  });
}

export async function versions(): Promise<Versions> {
  const [suricata, snort] = await Promise.all([firstLine('suricata', ['-V']), firstLine('snort', ['-V'])]);
  return {
    threatlink: VERSION,
    node: process.version,
    os: { type: type(), release: release(), arch: arch(), pretty_name: prettyName(), hostname: hostname() },
    suricata,
    snort,
  };
}
