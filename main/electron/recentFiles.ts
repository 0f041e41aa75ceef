import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files in the Open Recent menu. */
const MAX_RECENT = 10;

/**
 * The Open Recent list, newest first, kept as JSON in the app's user-data folder. An unreadable or
 * damaged file reads as an empty list: losing the list is harmless, refusing to start is not.
 */
export class RecentFiles {
  private paths: string[] = [];
  private readonly file: string;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'recent-files.json');
  }

  async load(): Promise<void> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      this.paths = Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      this.paths = [];
    }
  }

  list(): readonly string[] {
    return this.paths;
  }

  /** True when no file was ever opened: the first start. */
  get empty(): boolean {
    return this.paths.length === 0;
  }

  async add(path: string): Promise<void> {
    this.paths = [path, ...this.paths.filter((p) => p !== path)].slice(0, MAX_RECENT);
    await this.save();
  }

  async clear(): Promise<void> {
    this.paths = [];
    await this.save();
  }

  private async save(): Promise<void> {
    await writeFile(this.file, JSON.stringify(this.paths, null, 1)).catch(() => undefined);
  }
}
