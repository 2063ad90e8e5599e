/**
 * The app's routes in the address bar: `/app` (home), `/app/p/<page id>`, and the workspace
 * screens `/app/integrations`, `/app/members`, `/app/webhooks`, `/app/automations` and
 * `/app/requests` — all after the server's path prefix when it has one (api.ts `session.base`):
 * `navigate` and `appHref` take paths without it and add it.
 */
import { useSyncExternalStore } from 'react';
import { pathInApp, serverPath } from './api.ts';

export interface Route {
  pageId: string | null;
  /** `/app/integrations`: the workspace's internal integrations. */
  integrations: boolean;
  /** One of the workspace screens (`/app/<screen>`), or null. */
  screen: Screen | null;
  /** Focus the title field when the page opens (a page just created). */
  focusTitle: boolean;
  /**
   * Counts the navigations that leave the place where the narrow-screen menu was opened. A
   * navigation made with `keepMenu` (a sidebar action that is not "open this page", such as
   * trashing the open page) keeps the count, so the menu the person is using stays open.
   */
  visit: number;
}

/** The workspace screens, each at `/app/<name>`. */
export const SCREENS = ['integrations', 'members', 'webhooks', 'automations', 'requests'] as const;
export type Screen = (typeof SCREENS)[number];

let focusNext = false;
let keepNext = false;
let visits = 0;
const listeners = new Set<() => void>();
let current = parse();

function parse(): Route {
  const path = pathInApp();
  const m = /^\/app\/p\/([0-9a-fA-F-]{32,36})\/?$/.exec(path);
  if (!keepNext) visits++;
  const named = /^\/app\/([a-z]+)\/?$/.exec(path)?.[1];
  const screen = SCREENS.find((s) => s === named) ?? null;
  const route = {
    pageId: m ? m[1]! : null,
    integrations: screen === 'integrations',
    screen,
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

/** The `href` of an app path (`/app/p/<id>`): with the server's path prefix. */
export const appHref = (path: string) => serverPath(path);

/** Goes to `path` (`/app/…`, without the prefix) inside the app without reloading. */
export function navigate(path: string, options: { focusTitle?: boolean; keepMenu?: boolean } = {}) {
  focusNext = options.focusTitle ?? false;
  keepNext = options.keepMenu ?? false;
  history.pushState(null, '', serverPath(path));
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
