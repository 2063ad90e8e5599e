/**
 * The app's frame: a sidebar (search, page tree, trash, sign-out) beside the open page. On a
 * narrow screen the sidebar is a panel opened by the Menu button.
 */
import { useEffect, useId, useState } from 'react';
import { type Page, pageTitle, rememberKind, searchPages, serverPath, session } from './api.ts';
import { AutomationsView } from './automations.tsx';
import { IconView } from './icon.tsx';
import { IntegrationsView } from './integrations.tsx';
import { MembersView } from './members.tsx';
import { PageView } from './page.tsx';
import { RequestsView } from './requests.tsx';
import { appHref, navigate, type Screen, useRoute } from './router.ts';
import { AdminOnly, isAdmin } from './screens.tsx';
import { WebhooksView } from './webhooks.tsx';

/**
 * The workspace screens in the sidebar, in order. Those marked `admin` are shown to workspace
 * admins only (the server refuses others, app-api.routes.ts); a member sees Integrations read-only.
 */
const SCREEN_LINKS: { screen: Screen; label: string; admin?: true }[] = [
  { screen: 'integrations', label: 'Integrations' },
  { screen: 'members', label: 'Members', admin: true },
  { screen: 'webhooks', label: 'Webhooks', admin: true },
  { screen: 'automations', label: 'Automations', admin: true },
  { screen: 'requests', label: 'Request log', admin: true },
];

import { PageTree } from './tree.tsx';

/** What a member is told only an admin can do, per admin screen. */
const ADMIN_WHAT: Partial<Record<Screen, string>> = {
  members: 'see the members and invite people',
  webhooks: 'manage webhook subscriptions',
  automations: 'manage automations',
  requests: 'read the request log',
};

export function App() {
  const route = useRoute();
  // The menu (narrow screens) stays open where it was opened: navigating closes it, except a
  // navigation made with `keepMenu` (router.ts), such as trashing the open page from the tree.
  const [menuOpenAt, setMenuOpenAt] = useState<number | false>(false);
  const menuOpen = menuOpenAt === route.visit;
  return (
    <div className={`layout${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpenAt(menuOpen ? false : route.visit)}
        >
          Menu
        </button>
        <span className="workspace-name">{session.workspace}</span>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Workspace">
        <div className="workspace">
          <strong>{session.workspace}</strong>
          <span className="muted">{session.userName}</span>
        </div>
        <Search />
        <PageTree currentId={route.pageId} />
        <ul className="sidebar-links" aria-label="Workspace settings">
          {SCREEN_LINKS.filter((l) => !l.admin || isAdmin()).map((l) => (
            <li key={l.screen}>
              <a
                href={appHref(`/app/${l.screen}`)}
                aria-current={route.screen === l.screen ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/app/${l.screen}`);
                }}
              >
                {l.label}
              </a>
            </li>
          ))}
        </ul>
        <form method="post" action={serverPath('/sign-out')} className="sign-out">
          <input type="hidden" name="csrf" value={session.csrf} />
          <button type="submit" className="small">
            Sign out
          </button>
        </form>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        {route.pageId ? (
          <PageView key={route.pageId} id={route.pageId} focusTitle={route.focusTitle} />
        ) : route.screen === 'integrations' ? (
          <IntegrationsView />
        ) : route.screen && !isAdmin() ? (
          <AdminOnly
            title={SCREEN_LINKS.find((l) => l.screen === route.screen)?.label ?? ''}
            what={ADMIN_WHAT[route.screen] ?? 'manage the workspace'}
          />
        ) : route.screen === 'webhooks' ? (
          <WebhooksView />
        ) : route.screen === 'automations' ? (
          <AutomationsView />
        ) : route.screen === 'requests' ? (
          <RequestsView />
        ) : route.screen === 'members' ? (
          <MembersView />
        ) : (
          <Home />
        )}
      </main>
    </div>
  );
}

function Home() {
  return (
    <div className="home">
      <h1>{session.workspace}</h1>
      <p>Pick a page in the sidebar, or create one with the + button beside “Pages”.</p>
    </div>
  );
}

/** Title search through POST /v1/search, the same search the API serves. */
function Search() {
  const id = useId();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Page[] | null>(null);
  useEffect(() => {
    if (query.trim() === '') {
      setResults(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      searchPages(query.trim(), 20).then((pages) => live && setResults(pages.slice(0, 20)));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);
  return (
    <search className="search">
      <label htmlFor={id}>Search pages</label>
      <input
        id={id}
        type="search"
        value={query}
        placeholder="Title…"
        autoComplete="off"
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setQuery('')}
      />
      {results && (
        <ul className="search-results" aria-label="Search results" aria-live="polite">
          {results.length === 0 && <li className="muted">No page matches.</li>}
          {results.map((p) => (
            <li key={p.id}>
              <a
                href={appHref(`/app/p/${p.id}`)}
                onClick={(e) => {
                  e.preventDefault();
                  setQuery('');
                  rememberKind(p.id, 'page');
                  navigate(`/app/p/${p.id}`);
                }}
              >
                <IconView icon={p.icon} />
                {pageTitle(p) || 'Untitled'}
              </a>
            </li>
          ))}
        </ul>
      )}
    </search>
  );
}
