/**
 * The app's routes in the address bar: `/app` (home), `/app/p/<page id>`, `/app/integrations`
 * and `/app/members`.
 */
import { useSyncExternalStore } from 'react';

export interface Route {
  pageId: string | null;
  /** `/app/integrations`: the workspace's internal integrations. */
  integrations: boolean;
  /** `/app/members`: the workspace's people and invitation links (admins). */
  members: boolean;
  /** Focus the title field when the page opens (a page just created). */
  focusTitle: boolean;
  /**
   * Counts the navigations that leave the place where the narrow-screen menu was opened. A
   * navigation made with `keepMenu` (a sidebar action that is not "open this page", such as
   * trashing the open page) keeps the count, so the menu the person is using stays open.
   */
  visit: number;
}

let focusNext = false;
let keepNext = false;
let visits = 0;
const listeners = new Set<() => void>();
let current = parse();

function parse(): Route {
  const m = /^\/app\/p\/([0-9a-fA-F-]{32,36})\/?$/.exec(location.pathname);
  if (!keepNext) visits++;
  const route = {
    pageId: m ? m[1]! : null,
    integrations: /^\/app\/integrations\/?$/.test(location.pathname),
    members: /^\/app\/members\/?$/.test(location.pathname),
    focusTitle: focusNext,
    visit: visits,
  };
  focusNext = false;
  keepNext = false;
  return route;
}

function update() {
  current = parse();
  for (const fn of listeners) fn();
}

window.addEventListener('popstate', update);

/** Goes to `path` inside the app without reloading. */
export function navigate(path: string, options: { focusTitle?: boolean; keepMenu?: boolean } = {}) {
  focusNext = options.focusTitle ?? false;
  keepNext = options.keepMenu ?? false;
  history.pushState(null, '', path);
  update();
}

export function useRoute(): Route {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => current,
  );
}
