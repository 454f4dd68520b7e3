// Watching a finished run again (`/?replay={messageId}`): its events
// (GET /api/runs/{id}/events) and page frames (GET /api/runs/{id}/frames)
// played back at their recorded times into the same views a live run
// uses, under a timeline with a mark per step and tool call. Seeking
// rebuilds the run from its first event up to that instant, so what shows
// is what had happened by then, and nothing after.

import { api, apiToken } from './api.js';
import { el } from './dom.js';

const TICK_MS = 50;

function clock(ms) {
  const s = Math.max(0, ms) / 1000;
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

export class Replay {
  /** `page` gives the views: `resetRun()` → a blank RunView for the run,
   *  `onEvent(type, data, id)` routes one event as live ones are, and
   *  `browser` shows frames. */
  constructor(page, messageId) {
    this.page = page;
    this.messageId = messageId;
    this.speed = 1;
    this.at = 0;          // ms since the run's first event
    this.next = 0;        // index of the next event to apply
    this.timer = null;
    this.shown = null;    // the frame on screen
  }

  async load() {
    const [run, frames] = await Promise.all([api.runEvents(this.messageId),
                                             api.runFrames(this.messageId)]);
    this.events = run.events;
    this.frames = frames.frames;
    this.start = this.events.length ? this.events[0].ts : 0;
    this.duration = this.events.length ? this.events.at(-1).ts - this.start : 0;
    this.build();
    this.seek(0);
    return this;
  }

  build() {
    const bar = el('div', 'replay');
    bar.id = 'replay';
    this.play = el('button', 'replay-play', 'Play');
    this.play.type = 'button';
    this.play.addEventListener('click', () => (this.timer ? this.pause() : this.resume()));
    this.speedPicker = el('select', 'replay-speed');
    this.speedPicker.setAttribute('aria-label', 'speed');
    for (const x of [1, 2, 8]) {
      const option = el('option', '', `${x}×`);
      option.value = x;
      this.speedPicker.append(option);
    }
    this.speedPicker.addEventListener('change', () => { this.speed = Number(this.speedPicker.value); });
    const track = el('div', 'replay-track');
    this.marks = el('div', 'replay-marks');
    for (const ev of this.events) {
      const kind = ev.type === 'tool_start' ? 'tool' : ev.type === 'progress' ? 'step' : null;
      if (!kind)
        continue;
      const mark = el('span', `replay-mark ${kind}`);
      mark.style.left = `${this.fraction(ev.ts) * 100}%`;
      mark.title = kind === 'tool' ? ev.data.tool_name : `step ${ev.data.step}`;
      this.marks.append(mark);
    }
    this.slider = el('input', 'replay-slider');
    this.slider.type = 'range';
    this.slider.min = 0;
    this.slider.max = this.duration;
    this.slider.setAttribute('aria-label', 'replay position');
    this.slider.addEventListener('input', () => {
      const to = Number(this.slider.value);
      this.pause();
      this.seek(to);
    });
    track.append(this.marks, this.slider);
    this.time = el('span', 'replay-time');
    bar.append(this.play, track, this.time, this.speedPicker);
    this.element = bar;
    return bar;
  }

  fraction(ts) {
    return this.duration ? (ts - this.start) / this.duration : 0;
  }

  /** Shows the run as it was `ms` after its first event. */
  seek(ms) {
    this.at = Math.min(Math.max(0, ms), this.duration);
    this.next = 0;
    this.shown = null;
    this.page.resetRun(this.messageId);
    this.advance();
  }

  /** Applies every event due by now, and the frame on screen then. */
  advance() {
    const now = this.start + this.at;
    while (this.next < this.events.length && this.events[this.next].ts <= now) {
      const ev = this.events[this.next++];
      this.page.onEvent(ev.type, ev.data, ev.id);
    }
    this.showFrame(now);
    this.slider.value = this.at;
    this.time.textContent = `${clock(this.at)} / ${clock(this.duration)}`;
    this.element.dataset.state = this.at >= this.duration ? 'ended'
      : this.timer ? 'playing' : 'paused';
  }

  showFrame(now) {
    let frame = null;
    for (const f of this.frames)
      if (f.ts <= now)
        frame = f;
    if (!frame || frame === this.shown)
      return;
    this.shown = frame;
    const token = apiToken();
    this.page.browser.show(frame.url + (token ? `?access_token=${encodeURIComponent(token)}` : ''));
  }

  resume() {
    if (this.at >= this.duration)
      this.seek(0);
    this.play.textContent = 'Pause';
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.at = Math.min(this.duration, this.at + (now - last) * this.speed);
      last = now;
      this.advance();
      if (this.at >= this.duration)
        this.pause();
    }, TICK_MS);
    this.advance();
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    this.play.textContent = 'Play';
    if (this.element)
      this.advance();
  }
}
