/**
 * The file types Notion's File Upload API accepts (notion-api.md §4.9): each extension with the
 * MIME types it may be sent as, the first being the one Octavo reports when none is given.
 */
import { errors } from '../wire/errors.ts';

const EXTENSIONS: Record<string, readonly string[]> = {
  // audio
  aac: ['audio/aac'],
  adts: ['audio/aac'],
  mid: ['audio/midi'],
  midi: ['audio/midi'],
  mp3: ['audio/mpeg'],
  mpga: ['audio/mpeg'],
  m4a: ['audio/mp4'],
  m4b: ['audio/mp4'],
  oga: ['audio/ogg'],
  ogg: ['audio/ogg'],
  wav: ['audio/wav'],
  wma: ['audio/x-ms-wma'],
  // images
  gif: ['image/gif'],
  heic: ['image/heic'],
  jpeg: ['image/jpeg'],
  jpg: ['image/jpeg'],
  png: ['image/png'],
  svg: ['image/svg+xml'],
  tif: ['image/tiff'],
  tiff: ['image/tiff'],
  webp: ['image/webp'],
  ico: ['image/vnd.microsoft.icon', 'image/x-icon'],
  // documents
  pdf: ['application/pdf'],
  txt: ['text/plain'],
  json: ['application/json'],
  doc: ['application/msword'],
  dot: ['application/msword'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  dotx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.template'],
  xls: ['application/vnd.ms-excel'],
  xlt: ['application/vnd.ms-excel'],
  xla: ['application/vnd.ms-excel'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  xltx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.template'],
  ppt: ['application/vnd.ms-powerpoint'],
  pot: ['application/vnd.ms-powerpoint'],
  pps: ['application/vnd.ms-powerpoint'],
  ppa: ['application/vnd.ms-powerpoint'],
  pptx: ['application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  potx: ['application/vnd.openxmlformats-officedocument.presentationml.template'],
  // video (.mp4 is both)
  amv: ['video/x-amv'],
  asf: ['video/x-ms-asf'],
  wmv: ['video/x-ms-wmv'],
  avi: ['video/x-msvideo'],
  f4v: ['video/x-f4v'],
  flv: ['video/x-flv'],
  gifv: ['video/mp4'],
  m4v: ['video/mp4'],
  mp4: ['video/mp4', 'audio/mp4'],
  mkv: ['video/x-matroska'],
  webm: ['video/webm'],
  mov: ['video/quicktime'],
  qt: ['video/quicktime'],
  mpeg: ['video/mpeg'],
};

/** Each supported MIME type with the extension it implies (the first listed for it). */
const MIME_TYPES = new Map<string, string>();
for (const [ext, types] of Object.entries(EXTENSIONS)) {
  for (const t of types) if (!MIME_TYPES.has(t)) MIME_TYPES.set(t, ext);
}
MIME_TYPES.set('video/mp4', 'mp4');

/** The MIME type without parameters, lowercased (`Text/Plain; charset=utf-8` → `text/plain`). */
export function baseMimeType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

function extensionOf(filename: string): string | null {
  const dot = filename.lastIndexOf('.');
  return dot > 0 && dot < filename.length - 1 ? filename.slice(dot + 1).toLowerCase() : null;
}

/** The file's MIME type from its name alone (attachments served back use this when unknown). */
export function mimeTypeOf(filename: string): string | undefined {
  const ext = extensionOf(filename);
  return ext ? EXTENSIONS[ext]?.[0] : undefined;
}

export interface FileType {
  filename: string | null;
  contentType: string | null;
}

/**
 * Checks a name and MIME type against the supported list and completes them from each other: a
 * name without an extension gets the MIME type's, a missing MIME type comes from the extension.
 * Unsupported or contradicting ones are Notion's 400 validation_error.
 */
export function resolveFileType(filename: string | null, contentType: string | null): FileType {
  const mime = contentType === null ? null : baseMimeType(contentType);
  if (mime !== null && !MIME_TYPES.has(mime)) {
    throw errors.validation(`The content type ${mime} is not supported for the File Upload API.`);
  }
  if (filename === null) return { filename: null, contentType: mime };
  const ext = extensionOf(filename);
  if (ext === null) {
    if (mime === null) {
      throw errors.validation(
        `The filename ${filename} has no extension; give one, or a content_type that implies it.`,
      );
    }
    return { filename: `${filename}.${MIME_TYPES.get(mime)}`, contentType: mime };
  }
  const allowed = EXTENSIONS[ext];
  if (!allowed)
    throw errors.validation(`The file extension .${ext} is not supported for the File Upload API.`);
  if (mime !== null && !allowed.includes(mime)) {
    throw errors.validation(`The content type ${mime} does not match the file extension .${ext}.`);
  }
  return { filename, contentType: mime ?? allowed[0]! };
}
