// One real ferrochat process (`ferrochat serve`) on a private temporary
// data dir, for tests written in JavaScript: the web client's browser tests
// (tests/browser) and the TypeScript SDK's (sdk/typescript). No
// dependency beyond node itself.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const ROOT = path.resolve(HERE, '../..');
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
export const BIN = process.env.FERROCHAT_BIN || path.join(TARGET, 'debug', 'ferrochat');

/** One ferrochat process on a private data dir; can be killed and restarted. */
export class Server {
  /** `env`: extra FERROCHAT_* settings for this server. */
  constructor({ env = {} } = {}) {
    this.extraEnv = env;
    this.dataDir = mkdtempSync(path.join(tmpdir(), 'ferrochat-js-'));
    this.proc = null;
    this.addr = null;
    this.log = [];
  }

  get url() {
    return `http://${this.addr}`;
  }

  /** Starts and resolves once the JSON log says `listening`. */
  async start(listen = '127.0.0.1:0') {
    // The same port again after a kill may take a moment to be free.
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.spawnOnce(listen);
        return;
      } catch (e) {
        if (attempt >= 20 || listen.endsWith(':0')) throw e;
        await sleep(250);
      }
    }
  }

  spawnOnce(listen) {
    const env = {
      ...process.env,
      FERROCHAT_AUTH__PASSWORD_HASH__MEMORY_KIB: '64',
      FERROCHAT_AUTH__PASSWORD_HASH__ITERATIONS: '1',
      FERROCHAT_GATEWAY__AUTH_RATE_LIMIT__BURST: '10000',
      FERROCHAT_GATEWAY__AUTH_RATE_LIMIT__PER_SECOND: '1000',
      FERROCHAT_GATEWAY__HTTP_RATE_LIMIT__BURST: '10000',
      FERROCHAT_GATEWAY__HTTP_RATE_LIMIT__PER_SECOND: '1000',
      RUST_LOG: process.env.RUST_LOG || 'info',
      ...this.extraEnv,
    };
    const proc = spawn(BIN, ['serve', '--listen', listen, '--data-dir', this.dataDir], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const stderr = [];
    proc.stderr.on('data', (b) => stderr.push(b.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`ferrochat did not log "listening" within 30 s: ${stderr.join('')}`));
      }, 30_000);
      const lines = readline.createInterface({ input: proc.stdout });
      lines.on('line', (line) => {
        this.log.push(line);
        if (this.log.length > 2000) this.log.shift();
        let rec;
        try {
          rec = JSON.parse(line);
        } catch {
          return;
        }
        if (rec.message === 'listening' && rec.addr) {
          clearTimeout(timer);
          this.addr = rec.addr;
          resolve();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `ferrochat exited (${code ?? signal}) before listening: ${stderr.join('')} ${this.log.slice(-5).join('\n')}`,
          ),
        );
      });
    });
  }

  /** Kills the process (SIGKILL by default: nothing gets to flush). */
  async kill(signal = 'SIGKILL') {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** Kill, then start again on the same data dir and the same address. */
  async restart() {
    await this.kill();
    await this.start(this.addr);
  }

  async stop() {
    await this.kill('SIGTERM');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
