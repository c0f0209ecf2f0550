// A small RFC 4180 CSV reader that remembers each record's starting line (for error messages).

/** One CSV record and the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses CSV text: comma-separated, fields optionally in double quotes ("" escapes a quote, quoted fields
 * may span lines), LF or CRLF line ends. Empty lines are skipped. Throws naming `file` and the line of an
 * unterminated quote or of stray text after a closing quote.
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const recLine = line;
    const fields: string[] = [];
    // empty line
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n)
            throw new Error(
              `${file}:${quoteLine}: unterminated quoted field (record starting at line ${recLine})`,
            );
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          throw new Error(
            `${file}:${line}: unexpected character ${JSON.stringify(text[i])} after a closing quote`,
          );
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          field += text[i];
          i++;
        }
      }
      fields.push(field);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      if (i < n) {
        i += text[i] === '\r' ? 2 : 1;
        line++;
      }
      break;
    }
    out.push({ line: recLine, fields });
  }
  return out;
}
