import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A cgroup (v2) per job, where the system lets bgjobs make one: every process the job starts
 * stays in it whatever it does (setsid, double fork), so the job's processes are listed and
 * killed by the kernel, escapees included. The groups of one BGJOBS_HOME live under
 * `<the daemon's own cgroup>/bgjobs-<hash of the home>/<job id>`; without a writable cgroup v2
 * hierarchy (no delegation, cgroup v1 only) there are none and escapees are found in /proc.
 *
 * @example
 * const cgroups = JobCgroups.forHome(home);   // null when the system gives none
 * const path = cgroups?.make('k3f9x2qa');     // handed to the monitor in BGJOBS_CGROUP
 * cgroupPids(path);                           // every process of the job
 * killCgroup(path);                           // SIGKILL to all of them at once
 */
export class JobCgroups {
  private readonly parent: string;

  private constructor(parent: string) {
    this.parent = parent;
  }

  /** The job cgroups of HOME, or null when this process may not make cgroups. */
  static forHome(home: string): JobCgroups | null {
    const own = ownCgroup();
    if (own === undefined) return null;
    const hash = createHash('sha256').update(home).digest('hex').slice(0, 12);
    const parent = join(own, `bgjobs-${hash}`);
    try {
      mkdirSync(parent, { recursive: true });
      return new JobCgroups(parent);
    } catch {
      return null;
    }
  }

  /** Makes the cgroup of job ID; its path, or null when it cannot be made. */
  make(id: string): string | null {
    const path = join(this.parent, id);
    try {
      mkdirSync(path, { recursive: true });
      return path;
    } catch {
      return null;
    }
  }

  /** Removes the empty cgroups of jobs that LIVE says are over (a group with processes stays). */
  sweep(live: (id: string) => boolean): void {
    let ids: string[];
    try {
      // A child cgroup is a directory; the control files beside it are plain files.
      ids = readdirSync(this.parent, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      return;
    }
    for (const id of ids) if (!live(id)) removeCgroup(join(this.parent, id));
  }

  /** Removes the home's cgroup folder when no job's cgroup is left in it. */
  close(): void {
    removeCgroup(this.parent);
  }
}

/** This process's cgroup v2 folder, when a cgroup2 hierarchy is mounted; undefined otherwise. */
function ownCgroup(): string | undefined {
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    if (line === undefined) return undefined;
    const mount = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .find((fields) => fields[fields.indexOf('-') + 1] === 'cgroup2');
    const mountPoint = mount?.[4];
    if (mountPoint === undefined) return undefined;
    return join(mountPoint, line.slice(3));
  } catch {
    return undefined;
  }
}

/** Pids of every live process in the cgroup at PATH (none when it is gone). */
export function cgroupPids(path: string | null): number[] {
  if (path === null) return [];
  try {
    return readFileSync(join(path, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** SIGKILLs every process in the cgroup at PATH, with cgroup.kill where the kernel has it. */
export function killCgroup(path: string | null): void {
  if (path === null) return;
  try {
    writeFileSync(join(path, 'cgroup.kill'), '1');
    return;
  } catch {
    // Before Linux 5.14: one by one.
  }
  for (const pid of cgroupPids(path)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Removes the cgroup at PATH if no process is left in it; never throws. */
export function removeCgroup(path: string | null): void {
  if (path === null) return;
  try {
    rmdirSync(path);
  } catch {
    // processes left in it, or gone already
  }
}

/** Removes the cgroup at PATH once its processes have left (they may be dying), within MS. */
export async function removeCgroupWhenEmpty(path: string | null, ms = 2000): Promise<void> {
  if (path === null) return;
  const deadline = Date.now() + ms;
  while (cgroupPids(path).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  removeCgroup(path);
}

/** Removes every job cgroup of HOME and its folder, where no process is left (for tests). */
export function removeHomeCgroups(home: string): void {
  const cgroups = JobCgroups.forHome(home);
  cgroups?.sweep(() => false);
  cgroups?.close();
}
