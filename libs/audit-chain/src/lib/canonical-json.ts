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
  const depth = trail.length; // above 0 only when a toJSON calls this again
  try {
    return write(value);
  } finally {
    trail.length = depth;
  }
}

/**
 * The keys and indexes down to the value being written, for the error's path. A stack of
 * existing keys rather than a path string per value: the audit writes every event it records,
 * and building `/data/…` strings that only an error would read was a good part of its garbage.
 */
const trail: (string | number)[] = [];

function write(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw notJson(value);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item = value[i];
          if (item === undefined) {
            out += 'null';
            continue;
          }
          trail.push(i);
          out += write(item);
          trail.pop();
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      if (typeof (record as { toJSON?: unknown }).toJSON === 'function') {
        return write((record as { toJSON(): unknown }).toJSON());
      }
      const keys = sortKeys(Object.keys(record));
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (!first) out += ',';
        first = false;
        trail.push(key);
        out += `${JSON.stringify(key)}:${write(item)}`;
        trail.pop();
      }
      return `${out}}`;
    }
    default:
      throw notJson(value);
  }
}

function notJson(value: unknown): TypeError {
  const path = trail.map((step) => `/${step}`).join('') || '/';
  return new TypeError(typeof value === 'number' ? `canonical JSON: non-finite number at ${path}` : `canonical JSON: ${typeof value} is not a JSON value at ${path}`);
}

/** Above this many keys, the built-in sort (insertion sort's quadratic cost would show). */
const INSERTION_SORT_MAX_KEYS = 32;

/**
 * The keys in UTF-16 code unit order, as `Array.prototype.sort` without a comparator puts
 * strings. Insertion sort for the usual few to twenty keys, where it is about twice as fast as
 * the built-in sort, which the audit runs for every object of every event it records.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX_KEYS) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
