/** The streaming multipart reader: the same fields whatever the chunk sizes the body arrives in. */
import { describe, expect, it } from 'vitest';
import { type FileSink, MultipartReader, type TextSink } from '../../src/api/multipart.ts';

const boundary = '----octavo-test-Boundary7MA4YWxk';

function body(file: Uint8Array, partNumber?: string): Buffer {
  const parts: (string | Uint8Array)[] = [
    'preamble to ignore\r\n',
    `--${boundary}\r\n`,
    'Content-Disposition: form-data; name="file"; filename="a \\"b\\".bin"\r\n',
    'Content-Type: application/pdf\r\n\r\n',
    file,
    '\r\n',
  ];
  if (partNumber !== undefined)
    parts.push(
      `--${boundary}\r\n`,
      'Content-Disposition: form-data; name="part_number"\r\n\r\n',
      partNumber,
      '\r\n',
    );
  parts.push(`--${boundary}--\r\nepilogue`);
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

function read(bytes: Buffer, chunk: number) {
  const reader = new MultipartReader(boundary, bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += chunk) reader.push(bytes.subarray(i, i + chunk));
  reader.finish();
  const file = reader.fields.find((f) => f.headers.name === 'file')!;
  const part = reader.fields.find((f) => f.headers.name === 'part_number');
  return {
    bytes: Buffer.from((file.sink as FileSink).bytes()),
    filename: file.headers.filename,
    type: file.headers.contentType,
    part: part ? (part.sink as TextSink).text() : undefined,
  };
}

describe('MultipartReader', () => {
  // Content that looks like the delimiter's beginning, CRLFs and dashes near the end.
  const tricky = Buffer.concat([
    Buffer.from(`\r\n--${boundary.slice(0, 10)}`),
    Buffer.alloc(3000, 0x2d),
    Buffer.from('\r\n\r\n--\r\n-'),
    Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff)),
    Buffer.from(`\r\n--${boundary.slice(0, -1)}`),
  ]);

  it.each([1, 2, 3, 7, 40, 41, 42, 43, 64, 1000, 65536])(
    'reads the same fields in chunks of %i bytes',
    (chunk) => {
      const got = read(body(tricky, '12'), chunk);
      expect(got.bytes.equals(tricky)).toBe(true);
      expect(got.filename).toBe('a "b".bin');
      expect(got.type).toBe('application/pdf');
      expect(got.part).toBe('12');
    },
  );

  it('reads an empty file and a body without preamble', () => {
    const whole = body(Buffer.alloc(0)).subarray('preamble to ignore\r\n'.length);
    const got = read(Buffer.from(whole), 5);
    expect(got.bytes.byteLength).toBe(0);
    expect(got.part).toBeUndefined();
  });

  it('refuses a body that ends before its closing delimiter', () => {
    const cut = body(tricky).subarray(0, 4000);
    const reader = new MultipartReader(boundary, cut.byteLength);
    reader.push(cut);
    expect(() => reader.finish()).toThrow(/valid multipart\/form-data/);
  });
});
