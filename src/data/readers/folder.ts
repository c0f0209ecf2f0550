// Folder reader: every .txt / .md / .html file under a folder (sorted, recursive) becomes one Document.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Document } from '../document.js';

const EXTS = ['.txt', '.md', '.html', '.htm'];

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (EXTS.some((x) => e.name.toLowerCase().endsWith(x))) out.push(p);
  }
  return out;
}

/** Read a folder of text files; id = path relative to the folder, `metadata.format` = html for .html files. */
export async function* readFolder(dir: string): AsyncGenerator<Document> {
  for (const p of await walk(dir)) {
    const text = await readFile(p, 'utf8');
    const rel = relative(dir, p);
    const isHtml = /\.html?$/i.test(p);
    yield {
      id: rel,
      text,
      metadata: { format: isHtml ? 'html' : p.endsWith('.md') ? 'markdown' : 'text', source: rel },
    };
  }
}
