import { promises as fs, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileStatus, SinkFileSystem } from './file-system.ts';

/** The embedded default: a directory on this machine, with fsync before rename for durability. */
export class LocalFileSystem implements SinkFileSystem {
  constructor(private readonly root: string) {}

  get description(): string {
    return `file://${this.root}`;
  }

  localPath(path: string): string {
    return this.real(path);
  }

  private real(path: string): string {
    return join(this.root, path);
  }

  async mkdirs(path: string): Promise<void> {
    await fs.mkdir(this.real(path), { recursive: true });
  }

  async create(path: string, content: Buffer, overwrite = true): Promise<void> {
    await fs.mkdir(dirname(this.real(path)), { recursive: true });
    const handle = await fs.open(this.real(path), overwrite ? 'w' : 'wx');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async append(path: string, content: Buffer): Promise<void> {
    const handle = await fs.open(this.real(path), 'a');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async rename(from: string, to: string): Promise<boolean> {
    try {
      await fs.access(this.real(to), constants.F_OK);
      return false;
    } catch {
      // target free
    }
    try {
      await fs.mkdir(dirname(this.real(to)), { recursive: true });
      await fs.rename(this.real(from), this.real(to));
      const dir = await fs.open(dirname(this.real(to)), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async list(path: string): Promise<FileStatus[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.real(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: FileStatus[] = [];
    for (const name of names.sort()) {
      const status = await this.status(`${path}/${name}`);
      if (status) out.push(status);
    }
    return out;
  }

  async status(path: string): Promise<FileStatus | null> {
    try {
      const stat = await fs.stat(this.real(path));
      return {
        path,
        name: path.slice(path.lastIndexOf('/') + 1),
        type: stat.isDirectory() ? 'DIRECTORY' : 'FILE',
        length: stat.size,
        modificationTime: stat.mtimeMs,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async read(path: string): Promise<Buffer> {
    return fs.readFile(this.real(path));
  }

  async delete(path: string, recursive = false): Promise<boolean> {
    const existed = (await this.status(path)) !== null;
    await fs.rm(this.real(path), { recursive, force: true });
    return existed;
  }

  async close(): Promise<void> {}
}
