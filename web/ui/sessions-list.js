// The sidebar: the server's sessions and their state, refreshed every few
// seconds (and whenever the page learns something changed). Opening one
// continues it, or watches the run it has in progress.

import { api } from './api.js';

const REFRESH_MS = 3000;

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60)
    return `${s}s ago`;
  if (s < 3600)
    return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

export class SessionsList {
  constructor({ onOpen }) {
    this.onOpen = onOpen;
    this.current = null;
    this.list = document.getElementById('session-list');
    this.empty = document.getElementById('sessions-empty');
    this.timer = null;
    this.pending = null;
  }

  start() {
    this.refresh();
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible')
        this.refresh();
    }, REFRESH_MS);
  }

  select(id) {
    this.current = id;
    for (const button of this.list.querySelectorAll('.session'))
      button.classList.toggle('current', button.dataset.id === id);
  }

  /** Reloads the list; concurrent calls share one request. */
  refresh() {
    this.pending ??= api.sessions()
      .then((reply) => this.render(reply.sessions))
      .catch(() => {}) // the banner speaks for a server that is away
      .finally(() => { this.pending = null; });
    return this.pending;
  }

  render(sessions) {
    sessions.sort((a, b) => b.created_at - a.created_at); // newest first, stable
    const items = sessions.map((s) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `session${s.id === this.current ? ' current' : ''}`;
      button.dataset.id = s.id;
      const sid = document.createElement('span');
      sid.className = 'sid';
      sid.textContent = s.id;
      const state = document.createElement('span');
      state.className = `state ${s.state}`;
      state.textContent = s.state;
      const meta = document.createElement('span');
      meta.className = 'meta';
      const parts = [`${s.runs} run${s.runs === 1 ? '' : 's'}`];
      if (s.queued)
        parts.push(`${s.queued} queued`);
      if (s.subscribers)
        parts.push(`${s.subscribers} watching`);
      parts.push(ago(s.updated_at));
      meta.textContent = parts.join(' · ');
      button.append(sid, state, meta);
      button.addEventListener('click', () => this.onOpen(s.id));
      const item = document.createElement('li');
      item.append(button);
      return item;
    });
    this.list.replaceChildren(...items);
    this.empty.hidden = items.length > 0;
  }
}
