// Document worker: parses dropped files (PDF via unpdf, HTML via Readability + linkedom, Markdown, text, code) off the page's thread.
import { definePDFJSModule } from 'unpdf';
// unpdf's serverless PDF.js build (already minified, 1.6 MB) ships as a static asset loaded at run time
// rather than being re-bundled; web/vite.config.ts turns unpdf's own import of it into an error.
import pdfjsUrl from 'unpdf/pdfjs?url';
import { type DocParseReply, type DocParseRequest, kindOfFile, parseDocumentFile } from './doc-parse.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(msg: unknown): void;
}
const scope = globalThis as unknown as WorkerScope;

let pdfjs: Promise<void> | undefined;

/** Loads PDF.js once (again after a failure, e.g. when the page went offline before it was cached). */
function loadPdfjs(): Promise<void> {
  pdfjs ??= definePDFJSModule(() => import(/* @vite-ignore */ pdfjsUrl)).catch((e: unknown) => {
    pdfjs = undefined;
    throw new Error(`PDF.js could not be loaded from ${pdfjsUrl}: ${(e as Error).message}`);
  });
  return pdfjs;
}
// Start fetching it now, so a PDF dropped after the page went offline still parses.
loadPdfjs().catch(() => {});

// Requests are parsed one at a time, in order (a large PDF does not starve the ones after it of memory).
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (e: MessageEvent) => {
  const req = e.data as DocParseRequest;
  queue = queue.then(async () => {
    let reply: DocParseReply;
    try {
      const bytes = new Uint8Array(req.bytes);
      if (kindOfFile(req.name, req.type, bytes) === 'pdf') await loadPdfjs();
      reply = { id: req.id, ok: true, doc: await parseDocumentFile(req.name, req.type, bytes) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      reply = {
        id: req.id,
        ok: false,
        message: message.startsWith(req.name) ? message : `${req.name}: ${message}`,
      };
    }
    scope.postMessage(reply);
  });
};
