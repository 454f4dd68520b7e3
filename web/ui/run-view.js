// One run in the conversation: the command, then the agent's card with its
// step progress, the timeline of thoughts and tool calls, the answer as it
// streams, problems, and how it ended. Fed one event at a time by apply().

import { apiToken, errorTitle } from './api.js';
import { el } from './dom.js';
import { InterruptCard } from './interrupt-card.js';

/** A tool's input in one short line: its one argument's value, else JSON. */
function inputSummary(input) {
  if (!input || typeof input !== 'object')
    return '';
  const values = Object.values(input);
  if (values.length === 1 && typeof values[0] !== 'object')
    return String(values[0]);
  return values.length ? JSON.stringify(input) : '';
}

function seconds(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

export class RunView {
  /** `decide(interruptId, decision, extra, card)`: how a card's decision
   *  reaches the server (set by the page). */
  decide = async () => {};

  constructor(messageId, command) {
    this.messageId = messageId;
    this.element = el('article', 'turn');
    this.element.dataset.messageId = messageId;
    this.reset(command);
  }

  /** Back to a blank card (the run is replayed from its top). */
  reset(command) {
    this.state = 'created';
    this.finished = false;
    this.began = false; // it ran (or runs): unnamed events may be its
    this.tools = new Map();
    this.interrupts = new Map(); // interrupt_id → InterruptCard
    this.eventIds = [];
    const user = el('div', 'bubble user', command);
    const agent = el('div', 'agent');
    const head = el('div', 'agent-head');
    head.append(el('span', '', 'Agent'));
    this.status = el('span', 'state status', 'waiting');
    head.append(this.status);
    const steps = el('div', 'steps');
    this.progress = el('progress');
    this.progress.max = 1;
    this.progress.value = 0;
    this.stepLabel = el('span', 'step-label', 'not started');
    steps.append(this.progress, this.stepLabel);
    this.timeline = el('ol', 'timeline');
    this.answer = el('div', 'answer');
    this.problems = el('div', 'problems');
    this.footer = el('div', 'footer');
    agent.append(head, steps, this.timeline, this.answer, this.problems, this.footer);
    this.element.replaceChildren(user, agent);
  }

  /** A run whose events the server no longer holds, from the session's
   *  record (GET /api/sessions/{id}): its answer and how it ended, said as
   *  its `complete` would have said them. */
  showRecord(run) {
    this.note('Its steps are no longer held by the server; this is how it ended.');
    if (run.state !== 'finished')
      return this.setState(run.state);
    this.began = true;
    const usage = run.usage?.prompt_tokens + run.usage?.completion_tokens;
    this.on_complete({
      result: run.result, steps: run.steps, cancelled: run.outcome === 'cancelled',
      stop_reason: { success: 'complete', cancelled: 'cancelled', max_steps: 'max_steps',
                     failed: 'complete' }[run.outcome] ?? run.outcome,
      outcome: run.outcome,
      duration_ms: Math.max(0, (run.ended_at ?? 0) - (run.created_at ?? 0)),
      usage: usage ? { total_tokens: usage } : undefined,
    });
  }

  /** One event of this run, in order. */
  apply(type, data, id) {
    if (id)
      this.eventIds.push(id);
    const handler = this[`on_${type}`];
    if (handler)
      handler.call(this, data);
  }

  setState(state) {
    this.state = state;
    this.status.textContent = state;
    this.status.className = `state status ${state}`;
  }

  /**
   * `known` false: `total` is only the limit (a model decides how many
   *  steps it takes), so the bar says nothing it does not know.
   */
  setProgress(step, total, message, known = true) {
    this.progress.max = Math.max(total, 1);
    this.progress.value = Math.min(step, this.progress.max);
    if (!known)
      this.progress.removeAttribute('value'); // indeterminate
    const of = known ? ` of ${total}` : ` (at most ${total})`;
    this.stepLabel.textContent
      = `Step ${step}${of}${message ? ` · ${message}` : ''}`;
  }

  note(text) {
    this.timeline.append(el('li', 'note', text));
  }

  problem(code, message) {
    const box = el('div', 'problem');
    box.dataset.code = code;
    box.append(el('strong', '', errorTitle(code)), el('span', '', message));
    this.problems.append(box);
  }

  on_start() {
    this.setState('created');
  }

  on_status(data) {
    this.setState(data.state);
    if (data.state === 'running') {
      // Running again after a pause or a decision: the step label stays.
      if (!this.began)
        this.stepLabel.textContent = 'Starting';
      this.began = true;
      this.answer.classList.add('streaming');
    } else {
      this.note(`${data.state}: ${data.message}`);
    }
  }

  on_progress(data) {
    this.setProgress(data.step, data.total, data.message,
                     data.total_known !== false);
  }

  on_token(data) {
    this.answer.classList.add('streaming');
    this.answer.textContent += data.token;
  }

  // The model's turn is complete. A turn that asks for tools was the agent
  // thinking aloud: it moves to the timeline, and the next turn streams anew.
  on_message(data) {
    if (data.tool_calls && data.tool_calls.length) {
      const thought = data.content || this.answer.textContent;
      if (thought)
        this.timeline.append(el('li', 'thought', thought));
      this.answer.textContent = '';
    } else {
      this.answer.textContent = data.content;
    }
  }

  on_tool_start(data) {
    const item = el('li', 'tool running');
    const details = el('details');
    const summary = el('summary');
    summary.append(el('span', 'name', data.tool_name),
                   el('span', 'input', inputSummary(data.tool_input)),
                   el('span', 'took', ''), el('span', 'verdict', 'running'));
    const output = el('pre', 'output', JSON.stringify(data.tool_input, null, 1));
    details.append(summary, output);
    item.append(details);
    item.dataset.callId = data.call_id;
    this.tools.set(data.call_id, item);
    this.timeline.append(item);
  }

  on_tool_end(data) {
    let item = this.tools.get(data.call_id);
    if (!item) { // its start was lost (a gap) or filtered: show the end alone
      this.on_tool_start({ tool_name: data.tool_name, tool_input: {}, call_id: data.call_id });
      item = this.tools.get(data.call_id);
    }
    item.className = `tool ${data.ok ? 'ok' : 'failed'}`;
    item.querySelector('.took').textContent = seconds(data.duration_ms ?? 0);
    item.querySelector('.verdict').textContent = data.ok ? 'ok' : 'failed';
    item.querySelector('.output').textContent = data.output;
  }

  on_interrupt(data) {
    const card = new InterruptCard(data, (id, decision, extra) =>
      this.decide(id, decision, extra, card));
    this.interrupts.set(data.interrupt_id, card);
    this.timeline.append(card.element);
  }

  on_interrupt_resolved(data) {
    this.interrupts.get(data.interrupt_id)?.resolved(data);
  }

  /** The interrupts still waiting for a decision. */
  pendingInterrupts() {
    return [...this.interrupts.values()].filter((c) => c.pending);
  }

  on_control(data) {
    this.note(data.holder === 'user'
      ? 'A person took over the browser; the agent waits.'
      : 'The browser was handed back to the agent.');
  }

  // The page downloaded a file: a link to it (with the API token, which a
  // link cannot send as a header, in the query as the API accepts it).
  on_artifact(data) {
    const item = el('li', 'note artifact');
    const link = el('a', '', data.name);
    const token = apiToken();
    link.href = data.url + (token ? `?access_token=${encodeURIComponent(token)}` : '');
    link.download = data.name;
    item.append('Downloaded ', link, ` (${data.bytes.toLocaleString()} bytes)`);
    this.timeline.append(item);
  }

  on_custom(data) {
    const text = data.message ?? JSON.stringify(data);
    this.note(data.source ? `${data.source}: ${text}` : text);
  }

  on_error(data) {
    this.problem(data.code, data.message);
    if (data.final !== false)
      this.end('failed');
  }

  on_gap(data) {
    const notice = el('div', 'notice',
                      `${data.lost} earlier event${data.lost === 1 ? ' was' : 's were'} `
                      + 'no longer held by the server; this view starts after '
                      + (data.lost === 1 ? 'it.' : 'them.'));
    notice.dataset.gap = `${data.from}-${data.to}`;
    this.problems.append(notice);
  }

  on_complete(data) {
    // Tokens may have been filtered out (stream_mode): the result is the answer.
    if (!data.cancelled && data.result && this.answer.textContent !== data.result)
      this.answer.textContent = data.result;
    const reason = data.stop_reason ?? (data.cancelled ? 'cancelled' : 'complete');
    if (reason === 'complete')
      this.setProgress(data.steps, data.steps, 'done');
    const tokens = data.usage?.total_tokens;
    const parts = [`${data.steps} step${data.steps === 1 ? '' : 's'}`,
                   seconds(data.duration_ms ?? 0)];
    if (tokens)
      parts.push(`${tokens} tokens`);
    // A run whose last step failed completes too: its answer says why, and
    // it shows as failed, not done.
    if (data.outcome === 'failed') {
      this.problem('run_failed', data.result);
      this.footer.textContent = `Could not finish · ${parts.join(' · ')}`;
      return this.end('failed');
    }
    const said = { complete: 'Done', cancelled: 'Stopped', max_steps: 'Stopped at the step limit' };
    this.footer.textContent = `${said[reason] ?? reason} · ${parts.join(' · ')}`;
    this.end(reason === 'complete' ? 'done' : reason);
  }

  /** A finished run's report (GET /api/runs/{id}/report), as a file. */
  reportLink() {
    const link = el('a', 'report-link', 'Download report');
    const token = apiToken();
    link.href = `/api/runs/${encodeURIComponent(this.messageId)}/report`
      + (token ? `?access_token=${encodeURIComponent(token)}` : '');
    link.download = `agenttheo-run-${this.messageId}.html`;
    return link;
  }

  end(state) {
    this.finished = true;
    if (!this.footer.querySelector('.report-link')) {
      const replay = el('a', 'replay-link', 'Replay');
      replay.href = `/?replay=${encodeURIComponent(this.messageId)}`;
      this.footer.append(this.footer.textContent ? ' · ' : '', replay, ' · ',
                         this.reportLink());
    }
    for (const card of this.interrupts.values())
      card.close();
    this.answer.classList.remove('streaming');
    this.setState(state);
    // Tools still running were stopped with the run.
    for (const item of this.timeline.querySelectorAll('.tool.running')) {
      item.className = 'tool stopped';
      item.querySelector('.verdict').textContent = 'stopped';
    }
    if (state !== 'done' && this.progress.value > 0) {
      const said = { cancelled: 'Stopped', failed: 'Failed', max_steps: 'Stopped' };
      this.stepLabel.textContent = `${said[state] ?? state} at step `
        + `${this.progress.value} of ${this.progress.max}`;
    }
  }
}
