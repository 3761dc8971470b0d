import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';

/**
 * The header's search: changes (CR number, title), controllers (name, address, line), tags of their capture profiles
 * and people; each hit opens its screen. Escape or a click outside closes the results.
 */
export function GlobalSearch() {
  const s = useAppStore(
    useShallow((st) => ({ results: st.searchResults, error: st.searchError, run: st.runSearch, clear: st.clearSearch, open: st.openHit })),
  );
  const [query, setQuery] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const { run, clear } = s;
  useEffect(() => {
    const timer = setTimeout(() => void run(query), 150);
    return () => clearTimeout(timer);
  }, [query, run]);
  useEffect(() => {
    const outside = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) clear();
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [clear]);
  const r = s.results;
  const none = r && r.changes.length + r.controllers.length + r.tags.length + r.people.length === 0;
  const go = (hit: Parameters<typeof s.open>[0]) => {
    s.open(hit);
    setQuery('');
  };
  return (
    <div
      className="global-search"
      ref={box}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          clear();
          setQuery('');
        }
      }}
    >
      <input
        type="search"
        aria-label="Search everything"
        placeholder="Search changes, controllers, tags, people"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onFocus={() => {
          if (query.trim().length >= 2) void run(query);
        }}
      />
      {(r || s.error) && (
        <div className="search-results" role="region" aria-label="Search results" data-testid="search-results">
          {s.error && (
            <p className="bad-text">
              {s.error.message} {s.error.hint}
            </p>
          )}
          {none && <p className="muted">Nothing matches “{r.query}”.</p>}
          {r && r.changes.length > 0 && (
            <section aria-label="Changes found">
              <h4>Changes</h4>
              {r.changes.map((c) => (
                <button key={c.id} type="button" className="search-hit" onClick={() => go({ kind: 'change', id: c.id })}>
                  <strong>{c.number}</strong> {c.title} <span className="muted">{c.status}</span>
                </button>
              ))}
            </section>
          )}
          {r && r.controllers.length > 0 && (
            <section aria-label="Controllers found">
              <h4>Controllers</h4>
              {r.controllers.map((c) => (
                <button key={c.id} type="button" className="search-hit" onClick={() => go({ kind: 'controller', id: c.id })}>
                  <strong>{c.name}</strong>{' '}
                  <span className="muted">
                    {c.lineId ? `line ${c.lineId} · ` : ''}
                    {c.description}
                  </span>
                </button>
              ))}
            </section>
          )}
          {r && r.tags.length > 0 && (
            <section aria-label="Tags found">
              <h4>Tags</h4>
              {r.tags.map((t) => (
                <button
                  key={`${t.controllerId}/${t.tag}`}
                  type="button"
                  className="search-hit"
                  onClick={() => go({ kind: 'tag', id: t.controllerId, tag: t.tag })}
                >
                  <strong>{t.tag}</strong>{' '}
                  <span className="muted">
                    on {t.controller} · <code>{t.address}</code>
                  </span>
                </button>
              ))}
              {r.moreTags > 0 && <p className="muted">and {r.moreTags} more tags; type more of the name.</p>}
            </section>
          )}
          {r && r.people.length > 0 && (
            <section aria-label="People found">
              <h4>People</h4>
              {r.people.map((p) => (
                <button key={p.employeeId} type="button" className="search-hit" onClick={() => go({ kind: 'person', id: p.employeeId })}>
                  <strong>{p.name}</strong>{' '}
                  <span className="muted">
                    {p.employeeId}
                    {p.roles.length ? ` · ${p.roles.join(', ')}` : ''}
                    {p.active ? '' : ' · left'}
                  </span>
                </button>
              ))}
            </section>
          )}
        </div>
      )}
    </div>
  );
}
