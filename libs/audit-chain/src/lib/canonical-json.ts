/**
 * Canonical JSON: object keys sorted by UTF-16 code units (as RFC 8785 does), no whitespace,
 * strings and numbers written as `JSON.stringify` writes them. Two parties holding the same
 * JSON value produce the same text, so the text can be hashed and signed.
 *
 * Only JSON values are accepted: a non-finite number, a bigint, a function or a symbol is an
 * error rather than silently becoming `null` or disappearing. Object properties whose value is
 * `undefined` are left out, as `JSON.stringify` does (an absent optional field).
 */
export function canonicalJson(value: unknown): string {
  return write(value, '');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: non-finite number at ${path || '/'}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item = value[i];
          out += item === undefined ? 'null' : write(item, `${path}/${i}`);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      if (typeof (record as { toJSON?: unknown }).toJSON === 'function') {
        return write((record as { toJSON(): unknown }).toJSON(), path);
      }
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:${write(item, `${path}/${key}`)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${typeof value} is not a JSON value at ${path || '/'}`);
  }
}
