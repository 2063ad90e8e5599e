/**
 * Code block languages: Notion's names (wire/names.ts, the list the request schemas check) and
 * the names other editors use for them.
 */
import { CODE_LANGUAGES } from '../../wire/names.ts';

export { CODE_LANGUAGES };

const KNOWN = new Set<string>(CODE_LANGUAGES);

/** Other names for Notion's languages (BlockNote and markdown habits). */
const ALIASES: Record<string, string> = {
  text: 'plain text',
  plaintext: 'plain text',
  txt: 'plain text',
  js: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  rb: 'ruby',
  rs: 'rust',
  sh: 'shell',
  zsh: 'shell',
  console: 'shell',
  yml: 'yaml',
  md: 'markdown',
  cpp: 'c++',
  cs: 'c#',
  csharp: 'c#',
  fsharp: 'f#',
  kt: 'kotlin',
  dockerfile: 'docker',
  objc: 'objective-c',
  ps1: 'powershell',
  tex: 'latex',
  vb: 'visual basic',
  wasm: 'webassembly',
  proto: 'protobuf',
};

/** A language name as Notion takes it: its own names as they are, aliases mapped, else `plain text`. */
export function notionLanguage(language: unknown): string {
  const l = typeof language === 'string' ? language.trim().toLowerCase() : '';
  if (KNOWN.has(l)) return l;
  return ALIASES[l] ?? 'plain text';
}
