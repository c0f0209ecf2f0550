// Browser model cache: GGUF files kept in the Origin Private File System, or in IndexedDB where OPFS is missing.

/** One cached model. */
export interface CachedModel {
  /** Cache key (the URL or file name the model came from). */
  key: string;
  bytes: number;
  /** When it was stored (ms since epoch). */
  stored: number;
}

/** Where models are kept. */
export interface ModelCache {
  readonly kind: 'opfs' | 'indexeddb';
  list(): Promise<CachedModel[]>;
  /** The cached file's bytes, or undefined when not cached. */
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

/** File name safe for OPFS: the key percent-encoded (reversible). */
const fileName = (key: string) => `m_${encodeURIComponent(key).replace(/\./g, '%2E')}`;
const keyOf = (name: string) => decodeURIComponent(name.slice(2));

interface OpfsDir extends FileSystemDirectoryHandle {
  values(): AsyncIterable<FileSystemHandle>;
}

/** The OPFS cache (directory "pocketlm-models"). */
export class OpfsCache implements ModelCache {
  readonly kind = 'opfs' as const;
  private constructor(private readonly dir: FileSystemDirectoryHandle) {}

  /** Opens the cache, or returns undefined where OPFS is not available (or refuses writes). */
  static async open(): Promise<OpfsCache | undefined> {
    try {
      const root = await navigator.storage?.getDirectory?.();
      if (!root) return undefined;
      const dir = await root.getDirectoryHandle('pocketlm-models', { create: true });
      // Writable streams from the page's main thread are what we use; probe them once.
      const probe = await dir.getFileHandle('.probe', { create: true });
      if (typeof (probe as { createWritable?: unknown }).createWritable !== 'function') return undefined;
      await dir.removeEntry('.probe');
      return new OpfsCache(dir);
    } catch {
      return undefined;
    }
  }

  async list(): Promise<CachedModel[]> {
    const out: CachedModel[] = [];
    for await (const h of (this.dir as OpfsDir).values()) {
      if (h.kind !== 'file' || !h.name.startsWith('m_')) continue;
      const f = await (h as FileSystemFileHandle).getFile();
      out.push({ key: keyOf(h.name), bytes: f.size, stored: f.lastModified });
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const h = await this.dir.getFileHandle(fileName(key));
      return new Uint8Array(await (await h.getFile()).arrayBuffer());
    } catch (e) {
      if ((e as DOMException).name === 'NotFoundError') return undefined;
      throw e;
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    // Write to a temporary name, then rename: a half-written file is never listed as a model.
    const tmp = `t_${fileName(key)}`;
    const h = await this.dir.getFileHandle(tmp, { create: true });
    const w = await (
      h as FileSystemFileHandle & { createWritable(): Promise<FileSystemWritableFileStream> }
    ).createWritable();
    await w.write(bytes as Uint8Array<ArrayBuffer>);
    await w.close();
    const moved = h as FileSystemFileHandle & { move?(name: string): Promise<void> };
    if (typeof moved.move === 'function') {
      await this.delete(key);
      await moved.move(fileName(key));
    } else {
      const f = await this.dir.getFileHandle(fileName(key), { create: true });
      const w2 = await (
        f as FileSystemFileHandle & { createWritable(): Promise<FileSystemWritableFileStream> }
      ).createWritable();
      await w2.write(bytes as Uint8Array<ArrayBuffer>);
      await w2.close();
      await this.dir.removeEntry(tmp);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.dir.removeEntry(fileName(key));
    } catch (e) {
      if ((e as DOMException).name !== 'NotFoundError') throw e;
    }
  }
}

const DB = 'pocketlm-models';
const STORE = 'models';
/** IndexedDB values are split into pieces of this size (large single values fail in some browsers). */
const PIECE = 64 << 20;

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** The IndexedDB cache: one record per piece, keyed [modelKey, piece]; a meta record per model. */
export class IdbCache implements ModelCache {
  readonly kind = 'indexeddb' as const;
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<IdbCache> {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore(STORE);
    };
    return new IdbCache(await req(r));
  }

  private store(mode: IDBTransactionMode): IDBObjectStore {
    return this.db.transaction(STORE, mode).objectStore(STORE);
  }

  async list(): Promise<CachedModel[]> {
    const keys = (await req(this.store('readonly').getAllKeys())) as IDBValidKey[];
    const out: CachedModel[] = [];
    for (const k of keys) {
      if (!Array.isArray(k) || k[1] !== 'meta') continue;
      const meta = (await req(this.store('readonly').get(k))) as CachedModel;
      out.push(meta);
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const meta = (await req(this.store('readonly').get([key, 'meta']))) as
      | (CachedModel & { pieces: number })
      | undefined;
    if (!meta) return undefined;
    const out = new Uint8Array(meta.bytes);
    let off = 0;
    for (let i = 0; i < meta.pieces; i++) {
      const p = (await req(this.store('readonly').get([key, i]))) as ArrayBuffer | undefined;
      if (!p) throw new Error(`IndexedDB cache: piece ${i} of "${key}" is missing (delete and reload it)`);
      out.set(new Uint8Array(p), off);
      off += p.byteLength;
    }
    if (off !== meta.bytes)
      throw new Error(`IndexedDB cache: "${key}" holds ${off} bytes, expected ${meta.bytes}`);
    return out;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.delete(key);
    const pieces = Math.ceil(bytes.length / PIECE);
    for (let i = 0; i < pieces; i++) {
      const piece = bytes.slice(i * PIECE, Math.min(bytes.length, (i + 1) * PIECE)).buffer;
      await req(this.store('readwrite').put(piece, [key, i]));
    }
    const meta = { key, bytes: bytes.length, stored: Date.now(), pieces };
    await req(this.store('readwrite').put(meta, [key, 'meta']));
  }

  async delete(key: string): Promise<void> {
    const range = IDBKeyRange.bound([key], [key, []]);
    await req(this.store('readwrite').delete(range));
  }
}

/** Opens OPFS, falling back to IndexedDB (`prefer: 'indexeddb'` forces the fallback, for tests). */
export async function openModelCache(prefer?: 'opfs' | 'indexeddb'): Promise<ModelCache> {
  if (prefer !== 'indexeddb') {
    const o = await OpfsCache.open();
    if (o) return o;
  }
  return IdbCache.open();
}
