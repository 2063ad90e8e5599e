/** The app's routes in the address bar: `/app` (home) and `/app/p/<page id>`. */
import { useSyncExternalStore } from 'react';

export interface Route {
  pageId: string | null;
  /** Focus the title field when the page opens (a page just created). */
  focusTitle: boolean;
}

let focusNext = false;
const listeners = new Set<() => void>();
let current = parse();

function parse(): Route {
  const m = /^\/app\/p\/([0-9a-fA-F-]{32,36})\/?$/.exec(location.pathname);
  const route = { pageId: m ? m[1]! : null, focusTitle: focusNext };
  focusNext = false;
  return route;
}

function update() {
  current = parse();
  for (const fn of listeners) fn();
}

window.addEventListener('popstate', update);

/** Goes to `path` inside the app without reloading. */
export function navigate(path: string, options: { focusTitle?: boolean } = {}) {
  focusNext = options.focusTitle ?? false;
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
