// Shared test helpers for the RAG tests: temp dirs, a minimal PDF writer and a scripted fake generator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GenerateOptions, Generator } from '../../src/rag/generator.js';
import { approxTokenCount } from '../../src/rag/tokens.js';

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix = 'pocketlm-rag-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a minimal valid PDF (Helvetica, one text line per array entry) with one page per element. */
export function makePdf(pages: string[][], title?: string): Uint8Array {
  const objs: string[] = [];
  const fontId = 3 + pages.length * 2;
  const kids = pages.map((_, i) => `${3 + i * 2} 0 R`).join(' ');
  objs[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objs[2] = `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`;
  pages.forEach((lines, i) => {
    const esc = (s: string) => s.replace(/[()\\]/g, (c) => `\\${c}`);
    const content = `BT /F1 12 Tf 14 TL 72 720 Td ${lines.map((l) => `(${esc(l)}) Tj T*`).join(' ')} ET`;
    objs[3 + i * 2] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${4 + i * 2} 0 R /Resources << /Font << /F1 ${fontId} 0 R >> >> >>`;
    objs[4 + i * 2] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  });
  objs[fontId] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const infoId = fontId + 1;
  objs[infoId] = `<< /Title (${title ?? 'Untitled'}) >>`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let i = 1; i < objs.length; i++) {
    offsets[i] = out.length;
    out += `${i} 0 obj\n${objs[i]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objs.length}\n0000000000 65535 f \n`;
  for (let i = 1; i < objs.length; i++) out += `${String(offsets[i]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length} /Root 1 0 R /Info ${infoId} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

/** A generator that answers with a function of the prompt and records every call. */
export class FakeGenerator implements Generator {
  calls: { prompt: string; opts: GenerateOptions }[] = [];
  chatPrompt?: (messages: { role: string; content: string }[]) => string;
  constructor(private readonly reply: (prompt: string) => string) {}
  async generate(prompt: string, opts: GenerateOptions): Promise<string> {
    this.calls.push({ prompt, opts });
    return this.reply(prompt);
  }
  countTokens(text: string): number {
    return approxTokenCount(text);
  }
}
