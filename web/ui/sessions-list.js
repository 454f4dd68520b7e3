// The sidebar: the server's sessions by title, newest activity first,
// refreshed every few seconds (and whenever the page learns something
// changed). Opening one continues it, or watches the run it has in progress.
// Each can be renamed or deleted; idle ones can be cleared at once; a search
// box appears once there are many.

import { api } from './api.js';
import { confirming } from './confirming.js';
import { el } from './dom.js';

const REFRESH_MS = 3000;
/** More sessions than this, and the list gets a search box. */
const SEARCH_FROM = 8;

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60)
    return `${s}s ago`;
  if (s < 3600)
    return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

export class SessionsList {
  constructor({ onOpen, onDeleted, onProblem }) {
    this.onOpen = onOpen;
    this.onDeleted = onDeleted;
    this.onProblem = onProblem;
    this.current = null;
    this.sessions = [];
    this.editing = null; // the id being renamed: the list waits for it
    this.list = document.getElementById('session-list');
    this.empty = document.getElementById('sessions-empty');
    this.search = document.getElementById('session-search');
    this.clear = document.getElementById('clear-idle');
    this.timer = null;
    this.pending = null;
    this.search.addEventListener('input', () => this.render());
    confirming(this.clear, () => `Clear ${this.idle().length}?`, () => this.clearIdle());
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
    for (const item of this.list.querySelectorAll('li[data-id]'))
      item.querySelector('.session').classList.toggle('current', item.dataset.id === id);
    this.showClear();
  }

  /** Reloads the list; concurrent calls share one request. */
  refresh() {
    this.pending ??= api.sessions()
      .then((reply) => {
        this.sessions = reply.sessions;
        this.render();
      })
      .catch(() => {}) // the banner speaks for a server that is away
      .finally(() => { this.pending = null; });
    return this.pending;
  }

  /** Idle sessions other than the open one: what "Clear idle" ends. */
  idle() {
    return this.sessions.filter((s) => s.state === 'idle' && s.id !== this.current);
  }

  showClear() {
    this.clear.hidden = this.idle().length === 0;
  }

  render() {
    if (this.editing)
      return; // a rename in progress keeps its input
    const query = this.search.value.trim().toLowerCase();
    this.search.hidden = this.sessions.length <= SEARCH_FROM && !query;
    const shown = this.sessions
      .filter((s) => !query || (s.title || '').toLowerCase().includes(query)
                   || s.id.toLowerCase().includes(query))
      // Newest activity first; running ones are marked, not moved.
      .sort((a, b) => b.updated_at - a.updated_at || (a.id < b.id ? -1 : 1));
    this.list.replaceChildren(...shown.map((s) => this.item(s)));
    this.empty.hidden = shown.length > 0;
    this.empty.textContent = query ? 'No session matches.' : 'No sessions yet.';
    this.showClear();
  }

  item(s) {
    const item = el('li');
    item.dataset.id = s.id;
    const open = el('button', `session${s.id === this.current ? ' current' : ''}`);
    open.type = 'button';
    open.title = s.id;
    const title = el('span', 'title', s.title || 'New session');
    const state = el('span', `state ${s.state}`, s.state);
    const parts = [`${s.runs} run${s.runs === 1 ? '' : 's'}`];
    if (s.queued)
      parts.push(`${s.queued} queued`);
    if (s.subscribers)
      parts.push(`${s.subscribers} watching`);
    parts.push(ago(s.updated_at));
    open.append(title, state, el('span', 'meta', parts.join(' · ')));
    open.addEventListener('click', () => this.onOpen(s.id));
    const rename = el('button', 'icon rename', '✎');
    rename.type = 'button';
    rename.title = 'Rename';
    rename.setAttribute('aria-label', `Rename ${s.title || s.id}`);
    rename.addEventListener('click', (e) => {
      e.stopPropagation();
      this.startRename(item, s);
    });
    const remove = el('button', 'icon delete', '×');
    remove.type = 'button';
    remove.title = 'Delete this session';
    remove.setAttribute('aria-label', `Delete ${s.title || s.id}`);
    confirming(remove, () => 'Delete?', () => this.remove([s.id]));
    const actions = el('span', 'actions');
    actions.append(rename, remove);
    item.append(open, actions);
    return item;
  }

  startRename(item, s) {
    this.editing = s.id;
    const input = el('input', 'rename-input');
    input.value = s.title;
    input.maxLength = 120;
    input.setAttribute('aria-label', 'Session title');
    item.querySelector('.title').replaceWith(input);
    input.focus();
    input.select();
    let done = false;
    const finish = async (save) => {
      if (done)
        return;
      done = true;
      const title = input.value.trim();
      if (save && title && title !== s.title) {
        try {
          await api.renameSession(s.id, title);
        } catch (e) {
          this.onProblem(e);
        }
      }
      this.editing = null;
      await this.refresh();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter')
        finish(true);
      else if (e.key === 'Escape')
        finish(false);
      e.stopPropagation();
    });
    input.addEventListener('click', (e) => e.stopPropagation());
    input.addEventListener('blur', () => finish(true));
  }

  async remove(ids) {
    for (const id of ids) {
      try {
        await api.deleteSession(id);
      } catch (e) {
        if (e.code !== 'unknown_session') // gone already is what was wanted
          this.onProblem(e);
      }
      this.onDeleted(id);
    }
    await this.refresh();
  }

  clearIdle() {
    return this.remove(this.idle().map((s) => s.id));
  }
}
