import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface MemberEvent {
  assigned?: number[];
  revoked?: number[];
  p?: number;
  o?: number;
  v?: string;
}

/** A consumer group member running as a child process, with its printed events collected. */
export class MemberProcess {
  readonly events: MemberEvent[] = [];
  stderr = '';
  private child: ChildProcess;

  constructor(command: string, args: string[], readonly name: string) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as MemberEvent);
      } catch {
        // not one of ours
      }
    });
    this.child.stderr!.on('data', (data) => (this.stderr += String(data)));
  }

  /** The most recent assignment, or null before the first. */
  get assignment(): number[] | null {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.assigned) return this.events[i]!.assigned!;
    return null;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill9(): void {
    this.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** True when the members' latest assignments cover every partition exactly once. */
export function coversExactlyOnce(members: MemberProcess[], partitions: number): boolean {
  const all = members.flatMap((member) => member.assignment ?? []);
  return all.length === partitions && new Set(all).size === partitions;
}
