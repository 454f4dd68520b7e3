// An interrupt in the run's timeline: what the agent wants to do (or asks),
// in words, with the decisions it offers and a countdown to its timeout.
// `decide(interruptId, decision, extra)` sends a decision; the card only
// closes on `interrupt_resolved`, which says who decided what (another tab,
// the terminal, an operator, the timeout).

import { el } from './dom.js';

const TITLES = {
  approval: 'Approval needed',
  question: 'The agent asks',
  takeover: 'The agent asks you to take over the browser',
};

const VERBS = {
  approve: 'Approved', reject: 'Rejected', edit: 'Edited and approved',
  answer: 'Answered', no_answer: 'No answer', cancelled: 'Closed',
};

const WHO = {
  api: 'from a page or program', ws: 'from a page or program', timeout: 'by the timeout',
  operator: 'by an operator', cancel: 'as the run ended',
};

function remaining(ms) {
  if (ms <= 0)
    return 'expiring…';
  const s = Math.ceil(ms / 1000);
  const m = Math.floor(s / 60);
  return `expires in ${m}:${String(s % 60).padStart(2, '0')}`;
}

export class InterruptCard {
  constructor(data, decide) {
    this.data = data;
    this.id = data.interrupt_id;
    this.kind = data.kind;
    this.decide = decide;
    this.pending = true;
    this.element = el('li', `interrupt ${data.kind}`);
    this.element.dataset.interruptId = data.interrupt_id;
    this.element.append(el('strong', 'title', TITLES[data.kind] ?? 'The agent waits'),
                        el('p', 'reason', data.reason));
    this.controls = el('div', 'decide');
    if (data.kind === 'question')
      this.buildQuestion();
    else
      this.buildApproval();
    this.countdown = el('span', 'countdown');
    this.outcome = el('p', 'outcome');
    this.error = el('p', 'decide-error');
    this.error.hidden = true;
    this.element.append(this.controls, this.error, this.countdown, this.outcome);
    this.tick();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  button(label, decision, extra = () => ({}), title = '') {
    const b = el('button', `decide-${decision}`, label);
    b.type = 'button';
    if (title)
      b.title = title;
    b.addEventListener('click', () => this.send(decision, extra()));
    return b;
  }

  buildApproval() {
    const offers = this.data.options ?? [];
    if (this.data.tool_name) {
      this.input = el('textarea', 'tool-input');
      this.input.value = JSON.stringify(this.data.tool_input ?? {}, null, 1);
      this.input.readOnly = true;
      this.input.rows = Math.min(6, this.input.value.split('\n').length);
      this.input.setAttribute('aria-label', `Input of ${this.data.tool_name}`);
      this.controls.append(el('code', 'tool-name', this.data.tool_name), this.input);
    }
    const takeover = this.kind === 'takeover';
    if (offers.includes('approve'))
      this.controls.append(this.button(takeover ? 'Take over' : 'Approve', 'approve',
                                       undefined, takeover ? '' : 'Approve (A)'));
    if (offers.includes('edit'))
      this.controls.append(this.editButton());
    this.message = el('input', 'reject-message');
    this.message.placeholder = 'why not (optional, told to the agent)';
    this.message.setAttribute('aria-label', 'Why not');
    if (offers.includes('reject'))
      this.controls.append(this.button(takeover ? 'Decline' : 'Reject', 'reject',
                                       () => this.reason(), takeover ? '' : 'Reject (R)'),
                           this.message);
  }

  editButton() {
    const b = el('button', 'decide-edit', 'Edit');
    b.type = 'button';
    b.addEventListener('click', () => {
      if (this.input.readOnly) {
        this.input.readOnly = false;
        this.input.focus();
        b.textContent = 'Run edited';
        return;
      }
      let input;
      try {
        input = JSON.parse(this.input.value);
      } catch {
        return this.showError('The input is not JSON.');
      }
      this.send('edit', { input });
    });
    return b;
  }

  buildQuestion() {
    this.element.querySelector('.reason').textContent = this.data.question;
    for (const choice of this.data.choices ?? [])
      this.controls.append(this.button(choice, 'answer', () => ({ answer: choice })));
    this.answer = el('input', 'answer-box');
    this.answer.placeholder = 'Your answer';
    this.answer.setAttribute('aria-label', 'Your answer');
    this.answer.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && this.answer.value.trim()) {
        e.preventDefault();
        this.send('answer', { answer: this.answer.value.trim() });
      }
    });
    const send = this.button('Answer', 'answer', () => ({ answer: this.answer.value.trim() }));
    this.controls.append(this.answer, send, this.button('Decline', 'reject'));
  }

  reason() {
    const text = this.message?.value.trim();
    return text ? { message: text } : {};
  }

  async send(decision, extra) {
    if (!this.pending)
      return;
    if (decision === 'answer' && !extra.answer)
      return this.showError('Type an answer first.');
    this.error.hidden = true;
    for (const b of this.controls.querySelectorAll('button'))
      b.disabled = true;
    try {
      await this.decide(this.id, decision, extra);
    } catch (e) {
      // Someone else decided first: their decision arrives as an event.
      if (e.code !== 'interrupt_resolved')
        this.showError(e.message);
      for (const b of this.controls.querySelectorAll('button'))
        b.disabled = !this.pending;
    }
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  tick() {
    if (this.pending && this.data.expires_at)
      this.countdown.textContent = remaining(this.data.expires_at - Date.now());
  }

  /** `interrupt_resolved`: the card says who decided what, and closes. */
  resolved(data) {
    this.pending = false;
    clearInterval(this.timer);
    this.element.classList.add('resolved', data.decision);
    this.controls.hidden = true;
    this.countdown.hidden = true;
    this.error.hidden = true;
    const verb = this.kind === 'takeover' && data.decision === 'approve' ? 'Taken over'
      : VERBS[data.decision] ?? data.decision;
    let said = `${verb} ${WHO[data.by] ?? `by ${data.by}`}`;
    if (data.answer)
      said += `: “${data.answer}”`;
    if (data.message)
      said += ` (${data.message})`;
    this.outcome.textContent = said;
  }

  /** The run ended without a decision arriving (a replay cut short). */
  close() {
    if (this.pending)
      this.resolved({ decision: 'cancelled', by: 'cancel' });
  }
}
