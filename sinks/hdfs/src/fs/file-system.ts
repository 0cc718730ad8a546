/**
 * What the sink needs from a file system, and no more: Kafka Connect's HDFS sink gets by with
 * the same handful of operations. Paths are absolute, '/'-separated, under the sink's root.
 */
export interface FileStatus {
  path: string;
  name: string;
  type: 'FILE' | 'DIRECTORY';
  length: number;
  modificationTime: number;
}

export interface SinkFileSystem {
  readonly description: string;
  /**
   * The local path behind a sink path when the file system is this machine's disk, so Parquet
   * can be written in place; null when files must be built locally and uploaded.
   */
  localPath(path: string): string | null;
  mkdirs(path: string): Promise<void>;
  /** Creates (or overwrites) a file with the given content. */
  create(path: string, content: Buffer, overwrite?: boolean): Promise<void>;
  append(path: string, content: Buffer): Promise<void>;
  /** Atomic rename; false when the source does not exist or the target exists. */
  rename(from: string, to: string): Promise<boolean>;
  /** Entries of a directory; [] when it does not exist. */
  list(path: string): Promise<FileStatus[]>;
  status(path: string): Promise<FileStatus | null>;
  read(path: string): Promise<Buffer>;
  delete(path: string, recursive?: boolean): Promise<boolean>;
  close(): Promise<void>;
}

export function joinPath(...parts: string[]): string {
  const joined = parts.join('/').replace(/\/+/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
