/** Helpers shared by the comments suites. */
import type { Client } from '@notionhq/client';

export const VERSIONS = ['2022-06-28', '2025-09-03', '2026-03-11'] as const;
export const MISSING = '0f0e0d0c-0b0a-4909-8807-060504030201';
export const rt = (content: string) => [{ type: 'text' as const, text: { content } }];

export type ApiFailure = { code: string; status: number; message: string };

/** The error a request fails with (the test fails if it succeeds). */
export const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e) => e as ApiFailure,
  );

/** A 404's message with the id taken out, to compare "unshared" with "missing". */
export const shape = (f: ApiFailure, id: string) => ({
  status: f.status,
  code: f.code,
  message: f.message.replace(id, '<id>'),
});

export type Comment = Extract<Awaited<ReturnType<Client['comments']['retrieve']>>, { rich_text: unknown }>;

/** The comment of a response, without the response's `request_id`. */
export const full = (c: unknown) => {
  const { request_id: _, ...comment } = c as Comment & { request_id?: string };
  return comment as Comment;
};
