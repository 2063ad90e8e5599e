/** `octavo page create` and `octavo share`: pages made by the admin and shared with integrations. */
import { publicUrlOf } from '../../config.ts';
import { sharePage } from '../../ops/integrations.ts';
import { createAdminPage } from '../../ops/workspace.ts';
import { pageUrl } from '../../present/page.present.ts';
import { ApiError } from '../../wire/errors.ts';
import { CliError, pageIdArg, printResult, required, type Values } from '../args.ts';
import { nowIso, withStore } from '../context.ts';
import { rethrowAsCliError } from './integration.ts';

export async function pageCreateCommand(values: Values): Promise<void> {
  const title = required(values, 'title');
  const parentId = values.parent ? pageIdArg(values.parent, '--parent') : undefined;
  const shareWith = values.share ?? [];
  await withStore(values, async (store, config) => {
    const page = await store
      .transaction(async (tx) => {
        const now = nowIso();
        const row = await createAdminPage(tx, { title, parentId, now });
        for (const integrationName of shareWith)
          await sharePage(tx, { pageId: row.id, integrationName, now });
        return row;
      })
      .catch((e) => rethrowNotFound(e, `--parent: no page with id ${parentId}`));
    const url = pageUrl(publicUrlOf(config), page.id, title);
    const shared = shareWith.length > 0 ? `\n  shared with: ${shareWith.join(', ')}` : '';
    printResult(
      values,
      { id: page.id, url, shared_with: shareWith },
      `Created page ${title} (${page.id})\n  url: ${url}${shared}`,
    );
  });
}

export async function shareCommand(values: Values, [rawId]: string[]): Promise<void> {
  const pageId = pageIdArg(rawId!, 'PAGE_ID');
  const integrationName = required(values, 'with');
  await withStore(values, async (store) => {
    await store
      .transaction((tx) => sharePage(tx, { pageId, integrationName, now: nowIso() }))
      .catch((e) => rethrowNotFound(e, `no page with id ${pageId}`));
    printResult(
      values,
      { page_id: pageId, integration: integrationName },
      `Shared page ${pageId} (and the pages under it) with ${integrationName}`,
    );
  });
}

/** A 404 from an operation is, on the command line, a page id that names no page. */
function rethrowNotFound(e: unknown, message: string): never {
  if (e instanceof ApiError && e.code === 'object_not_found') throw new CliError(message);
  rethrowAsCliError(e);
}
