// Taking over the agent's browser from the live view: a WebSocket of its
// own (the page's event stream may be SSE) carries `control` and the
// person's `input` events; the live view turns clicks, wheel turns and keys
// on the frame into input in the frame's coordinates (the page's CSS
// pixels), while a visible frame says who is in control.

import { apiToken } from './api.js';

/** Mouse moves sent at most this often (the server rate-limits input). */
const MOVE_EVERY_MS = 50;

export class BrowserControl {
  /**
   * `view`: the BrowserView; `onChange(held)` when this page takes or gives
   * up control; `onProblem(error)` for a refusal.
   */
  constructor(view, { onChange, onProblem }) {
    this.view = view;
    this.onChange = onChange;
    this.onProblem = onProblem;
    this.session = null;
    this.held = false;
    this.socket = null;
    this.lastMove = 0;
    this.frame = view.image;
    this.surface = view.image.parentElement;
    this.surface.tabIndex = -1;
    this.bindInput();
  }

  /** The session whose browser this page may take. */
  follow(session) {
    if (session !== this.session && this.held)
      this.release(false);
    this.session = session;
  }

  async take() {
    if (!this.session)
      return;
    try {
      await this.request({ type: 'control', session: this.session, holder: 'user' });
      this.setHeld(true);
      this.surface.focus();
    } catch (e) {
      this.onProblem(e);
    }
  }

  async handBack() {
    if (!this.held)
      return;
    try {
      await this.request({ type: 'control', session: this.session, holder: 'agent' });
    } catch (e) {
      this.onProblem(e);
    }
    this.setHeld(false);
  }

  /** A `control` event: someone else may have taken or returned it. */
  observe(data) {
    if (data.holder === 'agent' && this.held)
      this.setHeld(false);
  }

  release(tell = true) {
    if (tell && this.held)
      this.send({ type: 'control', session: this.session, holder: 'agent' });
    this.setHeld(false);
  }

  setHeld(held) {
    this.held = held;
    this.surface.classList.toggle('in-control', held);
    this.onChange(held);
  }

  // -- the socket ------------------------------------------------------------

  connect() {
    if (this.socket && this.socket.readyState <= 1)
      return this.opened;
    const ws = new URL(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    if (apiToken())
      ws.searchParams.set('access_token', apiToken());
    const socket = new WebSocket(ws.href);
    this.socket = socket;
    this.waiting = new Map();
    this.opened = new Promise((resolve, reject) => {
      socket.onopen = () => resolve(socket);
      socket.onerror = () => reject(Object.assign(new Error('the server cannot be reached'),
                                                  { code: 'unreachable' }));
    });
    socket.onmessage = (m) => this.receive(m.data);
    socket.onclose = () => {
      if (socket !== this.socket)
        return;
      this.socket = null;
      // The server keeps control with this client; a new socket goes on.
    };
    return this.opened;
  }

  receive(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const waiter = this.waiting.get(msg.ref);
    if (waiter) {
      this.waiting.delete(msg.ref);
      if (msg.type === 'error')
        waiter.reject(Object.assign(new Error(msg.data.message), msg.data));
      else
        waiter.resolve(msg.data);
    } else if (msg.type === 'error') {
      this.onProblem(Object.assign(new Error(msg.data.message), msg.data));
    }
  }

  async request(msg) {
    await this.connect();
    const ref = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    return new Promise((resolve, reject) => {
      this.waiting.set(ref, { resolve, reject });
      this.socket.send(JSON.stringify({ ...msg, ref }));
    });
  }

  send(msg) {
    if (this.socket?.readyState === 1)
      this.socket.send(JSON.stringify(msg));
  }

  input(event) {
    if (this.held)
      this.send({ type: 'input', session: this.session, event });
  }

  // -- the live view as an input surface ---------------------------------------

  /** Where a pointer event is, in the frame's space. */
  point(e) {
    const box = this.frame.getBoundingClientRect();
    const width = this.view.frameSize?.width || this.frame.naturalWidth || box.width;
    const height = this.view.frameSize?.height || this.frame.naturalHeight || box.height;
    return {
      x: Math.max(0, Math.round((e.clientX - box.left) * (width / box.width))),
      y: Math.max(0, Math.round((e.clientY - box.top) * (height / box.height))),
    };
  }

  bindInput() {
    const button = (e) => ['left', 'middle', 'right'][e.button] ?? 'left';
    this.frame.addEventListener('mousedown', (e) => {
      if (!this.held)
        return;
      e.preventDefault();
      this.surface.focus();
      this.input({ type: 'mousedown', ...this.point(e), button: button(e), clickCount: e.detail || 1 });
    });
    this.frame.addEventListener('mouseup', (e) => {
      if (!this.held)
        return;
      e.preventDefault();
      this.input({ type: 'mouseup', ...this.point(e), button: button(e), clickCount: e.detail || 1 });
    });
    this.frame.addEventListener('mousemove', (e) => {
      if (!this.held || e.timeStamp - this.lastMove < MOVE_EVERY_MS)
        return;
      this.lastMove = e.timeStamp;
      this.input({ type: 'mousemove', ...this.point(e) });
    });
    this.frame.addEventListener('wheel', (e) => {
      if (!this.held)
        return;
      e.preventDefault();
      this.input({ type: 'wheel', ...this.point(e), deltaX: e.deltaX, deltaY: e.deltaY });
    }, { passive: false });
    this.frame.addEventListener('dragstart', (e) => this.held && e.preventDefault());
    for (const kind of ['keydown', 'keyup'])
      this.surface.addEventListener(kind, (e) => {
        if (!this.held || e.isComposing)
          return;
        e.preventDefault();
        this.input({ type: kind, key: e.key, code: e.code });
      });
  }
}
