// The web UI: one open session at a time, followed over its session stream
// (every run, live, resumable), commands sent through the JSON API, and the
// events routed to the run they belong to.

import { EventStream } from '/agenttheo-stream.js';
import { api, ApiError, apiToken, errorTitle } from './api.js';
import { BrowserView } from './browser-view.js';
import { BrowserControl } from './control.js';
import { Replay } from './replay.js';
import { RunView } from './run-view.js';
import { SessionsList } from './sessions-list.js';

const $ = (id) => document.getElementById(id);

// A tab hidden this long lets go of its stream, so a forgotten tab does not
// keep its session (and browser context) alive; it resumes when shown.
const RELEASE_HIDDEN_MS = 60_000;

function newMessageId() {
  return `ui-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

class Page {
  session = null;        // the open session's id
  stream = null;         // its EventStream
  runs = new Map();      // messageId → RunView
  current = null;        // the RunView of the run in progress
  received = [];         // every event dispatched: {id, type, messageId}
  released = null;       // lastEventId of a stream let go while hidden
  pinned = true;         // the conversation follows new output (not scrolled up)
  autoTop = 0;           // where the last automatic scroll left it
  hiddenTimer = null;

  records = new Map();   // messageId → the run as the session's record has it
  maxCommand = Infinity; // the server's MAX_COMMAND_LENGTH, once known

  constructor() {
    this.browser = new BrowserView();
    this.control = new BrowserControl(this.browser, {
      onChange: (held) => this.showControl(held),
      onProblem: (e) => this.pageProblem(e),
    });
    this.sessions = new SessionsList({
      onOpen: (id) => this.open(id, { push: true }),
      onDeleted: (id) => {
        if (id === this.session)
          this.leave({ push: true });
      },
      onProblem: (e) => this.pageProblem(e),
    });
    this.conversation = $('conversation');
    this.banner = $('banner');
    /** The sends under way, in order (see send()). */
    this.delivering = Promise.resolve();
    this.bindControls();
  }

  async boot() {
    this.showLlm();
    this.sessions.start();
    const params = new URLSearchParams(location.search);
    if (params.get('replay'))
      return this.openReplay(params.get('replay'));
    const id = params.get('session');
    if (id)
      await this.open(id);
  }

  // -- watching a finished run again (replay.js) -------------------------------

  async openReplay(messageId) {
    document.body.classList.add('replaying');
    this.replay = new Replay(this, messageId);
    try {
      await this.replay.load();
    } catch (e) {
      return this.pageProblem(e);
    }
    $('browser').append(this.replay.element);
    document.title = `Replay · ${this.runs.get(messageId)?.element.querySelector('.user')?.textContent || messageId}`;
  }

  /** A blank conversation holding only the replayed run's view. */
  resetRun(messageId) {
    this.clearConversation();
    this.browser.clear();
    this.viewFor(messageId);
  }

  async showLlm() {
    try {
      const health = await api.health();
      this.maxCommand = health.limits?.max_command_length ?? Infinity;
      this.checkCommandLength();
      const llm = health.llm;
      const label = $('llm');
      const planner = llm.provider === 'planner';
      const name = document.createElement('span');
      const why = document.createElement('span');
      why.className = 'why';
      name.textContent = planner ? 'LLM: offline planner' : `LLM: ${llm.model}`;
      why.textContent = planner ? ' (no model configured)' : ` · ${llm.provider}`;
      label.replaceChildren(name, why);
      label.classList.toggle('planner', planner);
      label.title = planner
        ? 'No LLM is configured, so a built-in rule-based planner decides each step. '
          + 'Set OPENROUTER_API_KEY (or LLM_BASE_URL) to use a real model.'
        : `Model ${llm.model} from ${llm.provider}`;
    } catch {
      this.showBanner('The server cannot be reached.');
    }
  }

  bindControls() {
    const command = $('command');
    const demo = `go to ${location.origin}/demo/ then click Products then read the page`;
    $('try-demo').textContent = demo;
    $('try-demo').addEventListener('click', () => {
      command.value = demo;
      this.send();
    });
    $('composer').addEventListener('submit', (e) => {
      e.preventDefault();
      this.send();
    });
    command.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.send();
      }
    });
    command.addEventListener('input', () => {
      this.fitCommandBox();
      this.checkCommandLength();
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !$('stop').disabled) {
        e.preventDefault();
        this.stop();
      }
    });
    $('stop').addEventListener('click', () => this.stop());
    $('pause').addEventListener('click', () => this.pauseOrResume());
    $('take-over').addEventListener('click', () =>
      (this.control.held ? this.control.handBack() : this.control.take()));
    // A and R decide the newest approval waiting (not while typing, and not
    // while the keys go to the page a person controls).
    document.addEventListener('keydown', (e) => {
      const typing = e.target.closest?.('input, textarea, select, [contenteditable]');
      if (typing || this.control.held || e.ctrlKey || e.metaKey || e.altKey)
        return;
      const key = e.key.toLowerCase();
      if (key !== 'a' && key !== 'r')
        return;
      const card = this.pendingCards().filter((c) => c.kind === 'approval').at(-1);
      if (!card)
        return;
      e.preventDefault();
      card.send(key === 'a' ? 'approve' : 'reject', key === 'r' ? card.reason() : {});
    });
    $('mode').addEventListener('change', () => this.session && this.open(this.session));
    $('new-session').addEventListener('click', () => this.leave());
    $('toggle-sessions').addEventListener('click', () => this.toggleDrawer());
    $('toggle-view').addEventListener('click', () => this.toggleLiveView());
    $('new-output').addEventListener('click', () => this.scrollToEnd());
    // Scrolling up unpins the conversation (new output then shows the
    // pill); scrolling back down pins it again.
    // (Output that grows the conversation is no scroll of the user's: only
    // moving above where the page last scrolled it unpins.)
    this.conversation.addEventListener('scroll', () => {
      if (this.nearBottom()) {
        this.pinned = true;
        $('new-output').hidden = true;
      } else if (this.conversation.scrollTop < this.autoTop - 2) {
        this.pinned = false;
      }
    });
    document.addEventListener('visibilitychange', () => this.onVisibility());
    window.addEventListener('popstate', () => {
      const id = new URLSearchParams(location.search).get('session');
      if (id)
        this.open(id);
      else
        this.leave({ push: false });
    });
  }

  /** The live view folds to its URL bar (on a phone it shares the screen
   *  with the conversation). */
  toggleLiveView(open = $('browser').classList.contains('folded')) {
    $('browser').classList.toggle('folded', !open);
    $('toggle-view').setAttribute('aria-expanded', String(open));
    $('toggle-view').textContent = open ? '▾' : '▸';
  }

  toggleDrawer(open = !$('sessions').classList.contains('open')) {
    $('sessions').classList.toggle('open', open);
    $('toggle-sessions').setAttribute('aria-expanded', String(open));
  }

  // -- sessions --------------------------------------------------------------

  /** Shows session `id`: a card for each of its runs, in order, filled by
   *  its stream replayed from the first event the server still holds, then
   *  live: one rendering path for what happened and what happens. */
  async open(id, { push = false } = {}) {
    // A replay is a page of its own: a session opens in the live page.
    if (this.replay) {
      location.href = `/?session=${encodeURIComponent(id)}`;
      return;
    }
    this.closeStream();
    this.toggleDrawer(false);
    this.session = id;
    this.control.follow(id);
    this.setUrl(id, push);
    this.sessions.select(id);
    this.clearConversation();
    let described;
    try {
      described = await api.session(id);
    } catch (e) {
      if (this.session === id)
        this.forgetSession(e);
      return;
    }
    if (this.session !== id)
      return; // another session was opened meanwhile
    this.openFailed = false;
    this.browser.clear(described.page_url);
    // Control is the session's: a page reopened by the person holding it
    // holds it again (the server refuses input from anyone else).
    if (described.control?.holder === 'user')
      this.control.setHeld(true);
    for (const run of described.runs) {
      this.records.set(run.messageId, run);
      this.viewFor(run.messageId, run.command);
    }
    this.updateControls();
    this.follow(id, 0);
  }

  /** The server no longer holds events up to `gap.to`: runs that ended
   *  before it are shown from their records; the run it cut into says so. */
  onGap(gap, id) {
    let cut = null;
    for (const [messageId, record] of this.records) {
      const view = this.runs.get(messageId);
      if (!view || view.eventIds.length)
        continue;
      if (record.last_event_id && record.last_event_id <= gap.to)
        view.showRecord(record);
      else if (record.first_event_id <= gap.to)
        cut = view;
    }
    this.received.push({ id, type: 'gap', messageId: cut?.messageId ?? null });
    cut?.apply('gap', gap, id);
  }

  follow(id, lastEventId = null) {
    this.stream = new EventStream(api.sessionStreamUrl(id, $('mode').value), {
      lastEventId,
      token: apiToken() ?? undefined,
      frames: true, // the live view, when the transport is WebSocket
      onEvent: (type, data, eventId) => this.onEvent(type, data, eventId),
      onFrame: (header, blob) => this.browser.showFrame(header, blob),
      onState: (state, detail) => this.onConnection(state, detail),
    });
  }

  closeStream() {
    this.stream?.close();
    this.stream = null;
    this.released = null;
  }

  /** Back to no session: the next command starts a new one. */
  leave({ push = true } = {}) {
    this.closeStream();
    this.session = null;
    this.control.follow(null);
    this.setUrl(null, push);
    this.sessions.select(null);
    this.clearConversation();
    this.browser.clear();
    this.toggleDrawer(false);
    $('welcome').hidden = false;
    $('command').focus();
  }

  forgetSession(error) {
    this.closeStream();
    this.session = null;
    this.setUrl(null, false);
    this.sessions.select(null);
    this.pageProblem(error);
  }

  setUrl(id, push) {
    const url = id ? `/?session=${encodeURIComponent(id)}` : '/';
    if (`${location.pathname}${location.search}` === url)
      return;
    if (push)
      history.pushState(null, '', url);
    else
      history.replaceState(null, '', url);
  }

  clearConversation() {
    this.runs.clear();
    this.records.clear();
    $('new-output').hidden = true;
    this.pinned = true;
    this.current = null;
    this.received.length = 0;
    document.title = 'AgentTheo';
    const welcome = $('welcome');
    welcome.hidden = true;
    this.conversation.replaceChildren(welcome);
    this.updateControls();
  }

  // -- events ----------------------------------------------------------------

  viewFor(messageId, command = '') {
    let view = this.runs.get(messageId);
    if (!view) {
      view = new RunView(messageId, command);
      view.decide = (id, decision, extra, card) => this.decide(id, decision, extra, card);
      this.runs.set(messageId, view);
      this.conversation.append(view.element);
    }
    return view;
  }

  /** Which run an event is about: lifecycle events say so; the rest come
   *  from the run in progress (a session runs one command at a time), never
   *  from one still queued. */
  viewOf(type, data) {
    const named = data.messageId ?? data.summary?.messageId;
    if (named)
      return this.viewFor(named, data.command ?? '');
    return this.current
      ?? [...this.runs.values()].reverse().find((v) => v.began) ?? null;
  }

  onEvent(type, data, id) {
    const stick = this.pinned;
    if (type === 'status' && data.state === 'closed' && !data.messageId)
      return this.sessionClosed(data);
    if (type === 'gap' && !data.messageId)
      return this.onGap(data, id);
    const view = this.viewOf(type, data);
    this.received.push({ id, type, messageId: view?.messageId ?? null });
    if (type === 'start')
      view.reset(data.command);
    if (type === 'status' && data.state === 'running')
      this.current = view;
    if (type === 'screenshot')
      this.browser.showScreenshot(data);
    if (type === 'control')
      this.control.observe(data);
    this.followUrl(type, data);
    view?.apply(type, data, id);
    if (view && view.finished && view === this.current)
      this.current = null;
    if (type === 'start' || type === 'complete' || type === 'error')
      this.sessions.refresh();
    if (type === 'interrupt' || type === 'interrupt_resolved' || view?.finished)
      this.flagInterrupts(type === 'interrupt' ? data : null);
    this.updateControls();
    if (stick)
      this.scrollToEnd();
    else if (type !== 'screenshot' && type !== 'update')
      $('new-output').hidden = false;
  }

  sessionClosed(data) {
    this.pageProblem(new ApiError(410, 'session_closed',
                                  `This session has ended: ${data.message}`));
    this.session = null;
    this.setUrl(null, false);
    this.sessions.refresh();
    this.updateControls();
  }

  onConnection(state, detail) {
    const label = $('transport');
    const via = detail.transport === 'websocket' ? 'WebSocket' : 'SSE';
    label.textContent = state === 'open' ? `live over ${via}` : `${state} (${via})`;
    label.classList.toggle('live', state === 'open');
    label.dataset.transport = detail.transport;
    if (state === 'reconnecting')
      this.showBanner(`Connection lost — reconnecting (attempt ${detail.attempt})…`);
    else if (state === 'failed')
      this.showBanner(`${errorTitle(detail.code)}: ${detail.message}`);
    else
      this.hideBanner();
    if (state === 'failed' && detail.code === 'unknown_session')
      this.forgetSession(new ApiError(detail.status, detail.code, detail.message));
  }

  onVisibility() {
    clearTimeout(this.hiddenTimer);
    if (document.visibilityState === 'hidden') {
      this.hiddenTimer = setTimeout(() => {
        if (!this.stream)
          return;
        this.released = this.stream.lastEventId ?? 0;
        this.stream.close();
        this.stream = null;
      }, RELEASE_HIDDEN_MS);
    } else if (this.released !== null && this.session) {
      const after = this.released;
      this.released = null;
      this.follow(this.session, after);
    }
  }

  // -- commands --------------------------------------------------------------

  async send() {
    const box = $('command');
    const command = box.value.trim();
    if (!command || !this.checkCommandLength())
      return;
    const mode = $('mode').value;
    const run = { command, messageId: newMessageId() };
    if (mode)
      run.stream_mode = mode;
    if ($('approve').value)
      run.approve = $('approve').value;
    // A command sent while another runs waits its turn. Always enqueue: the
    // page may not have seen the run before it start yet (its card shows at
    // `start`, its `running` status comes after), and on an idle session
    // enqueue starts at once.
    run.multitask = 'enqueue';
    // The box empties as the command leaves, not when the server answers:
    // its card shows (from the stream) before the answer, and whatever the
    // person types next in between is theirs to keep. Sends go out one at a
    // time, in the order typed, into the one session the first creates.
    box.value = '';
    this.fitCommandBox();
    this.checkCommandLength();
    box.focus();
    const delivered = this.delivering.then(() => this.deliver(run));
    this.delivering = delivered.catch(() => {});
    try {
      await delivered;
    } catch (e) {
      this.pageProblem(e);
      if (!box.value.trim()) {
        box.value = command;
        this.fitCommandBox();
        this.checkCommandLength();
      }
    }
  }

  async deliver(run) {
    if (!this.session)
      await this.open((await api.createSession()).id, { push: true });
    await this.startRun(run);
  }

  async startRun(run) {
    try {
      await api.startRun(this.session, run);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'unknown_session')
        throw e;
      // The session ended (idle timeout): carry on in a new one.
      await this.open((await api.createSession()).id, { push: true });
      await api.startRun(this.session, run);
    }
    this.scrollToEnd();
  }

  /** Says (and stops Send) when the command is longer than the server
   *  takes; true when it may be sent. */
  checkCommandLength() {
    const length = new TextEncoder().encode($('command').value.trim()).length;
    const label = $('command-length');
    const over = length > this.maxCommand;
    label.hidden = length < this.maxCommand * 0.9;
    label.textContent = over
      ? `${length.toLocaleString('en')} bytes: the server takes at most `
        + `${this.maxCommand.toLocaleString('en')}`
      : `${length.toLocaleString('en')} / ${this.maxCommand.toLocaleString('en')}`;
    label.classList.toggle('over', over);
    $('send').disabled = over;
    return !over;
  }

  /** Grows the command box with its text, up to its CSS max-height. */
  fitCommandBox() {
    const box = $('command');
    box.style.height = '';
    if (box.scrollHeight > box.clientHeight) {
      box.style.height = `${box.scrollHeight + 2}px`;
      box.style.overflowY = box.scrollHeight > box.clientHeight ? 'auto' : 'hidden';
    }
  }

  // -- steering --------------------------------------------------------------

  /** A card's decision. Taking over is taking the browser: through the
   *  control socket, so this page's clicks and keys reach the page. */
  async decide(interruptId, decision, extra, card) {
    if (card?.kind === 'takeover' && decision === 'approve')
      return this.control.take();
    return api.resolve(this.session, interruptId, { ...extra, decision });
  }

  pendingCards() {
    return [...this.runs.values()].flatMap((v) => v.pendingInterrupts());
  }

  /** The tab's title counts the decisions waiting; a new one also shows a
   *  browser notification, when the person allowed them. */
  flagInterrupts(fresh) {
    const waiting = this.pendingCards().length;
    document.title = waiting ? `(${waiting}) Decision needed · AgentTheo` : 'AgentTheo';
    if (!fresh || !('Notification' in window))
      return;
    if (Notification.permission === 'granted' && document.visibilityState !== 'visible')
      new Notification('AgentTheo: a decision is needed', { body: fresh.reason, tag: fresh.interrupt_id });
    else if (Notification.permission === 'default')
      Notification.requestPermission().catch(() => {});
  }

  async pauseOrResume() {
    if (!this.session)
      return;
    $('pause').disabled = true;
    try {
      if (this.current?.state === 'paused')
        await api.resume(this.session);
      else
        await api.pause(this.session);
    } catch (e) {
      this.pageProblem(e);
    } finally {
      this.updateControls();
    }
  }

  showControl(held) {
    $('take-over').textContent = held ? 'Hand back' : 'Take over';
    $('take-over').classList.toggle('held', held);
    $('in-control').hidden = !held;
    this.updateControls();
  }

  async stop() {
    if (!this.session)
      return;
    $('stop').disabled = true;
    try {
      await api.cancel(this.session);
    } catch (e) {
      this.pageProblem(e);
    }
  }

  busy() {
    return [...this.runs.values()].some((v) => !v.finished && v.state !== 'created');
  }

  /** The URL bar: the page the agent is on, or the address it could not
   *  open (until it opens another), not the page it was left on. */
  followUrl(type, data) {
    if (type === 'tool_start' && data.tool_name === 'navigate_to') {
      this.opening = data.tool_input?.url ?? null;
      this.openFailed = false;
    } else if (type === 'tool_end' && data.tool_name === 'navigate_to' && !data.ok
               && this.opening) {
      this.openFailed = true;
      this.browser.showUrl(this.opening, true);
    } else if (type === 'update' && data.state?.url && !this.openFailed) {
      this.browser.showUrl(data.state.url);
    }
  }

  updateControls() {
    $('stop').disabled = !this.session || !this.busy();
    const paused = this.current?.state === 'paused';
    $('pause').disabled = !this.session || !this.current || this.control.held;
    $('pause').textContent = paused ? 'Resume' : 'Pause';
    $('take-over').disabled = !this.session && !this.control.held;
  }

  // -- presentation ----------------------------------------------------------

  pageProblem(error) {
    const box = document.createElement('div');
    box.className = 'problem turn';
    box.dataset.code = error.code ?? 'error';
    const title = document.createElement('strong');
    title.textContent = errorTitle(error.code ?? 'error');
    const text = document.createElement('span');
    text.textContent = error.message;
    box.append(title, text);
    $('welcome').hidden = true;
    this.conversation.append(box);
    this.scrollToEnd();
  }

  showBanner(text) {
    this.banner.textContent = text;
    this.banner.hidden = false;
  }

  hideBanner() {
    this.banner.hidden = true;
  }

  nearBottom() {
    const c = this.conversation;
    return c.scrollHeight - c.scrollTop - c.clientHeight < 80;
  }

  /** Pins the conversation to its end. The scroll waits for the next
   *  frame (the new output laid out), and is skipped if the user scrolled
   *  up meanwhile. */
  scrollToEnd() {
    this.pinned = true;
    $('new-output').hidden = true;
    requestAnimationFrame(() => {
      if (!this.pinned)
        return;
      this.conversation.scrollTop = this.conversation.scrollHeight;
      this.autoTop = this.conversation.scrollTop;
    });
  }
}

const page = new Page();
// For people (and tests) looking into the page from the console.
window.agentTheo = page;
page.boot();
