// A run report (GET /api/runs/{messageId}/report): the server puts the
// run's events and frames in the page as JSON; this script, inlined beside
// them, lays them out. Everything comes from the page itself: the page's
// Content-Security-Policy allows no request at all.

const data = JSON.parse(document.getElementById('run-data').textContent);

// The UI's helper (web/ui/dom.js), repeated: the report is one file and
// imports nothing.
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className)
    node.className = className;
  if (text !== undefined)
    node.textContent = text;
  return node;
}

function when(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '';
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

/** The frame on screen at `ts`: the last one recorded by then. */
function frameAt(ts) {
  let found = null;
  for (const frame of data.frames)
    if (frame.ts <= ts)
      found = frame;
  return found;
}

/** The run as steps: the model's words, then its tool calls in order. */
function readRun(events) {
  const run = { steps: [], tools: new Map(), start: null, end: null, shots: [] };
  let step = null;
  const stepNamed = number => {
    if (!step || step.number !== number) {
      step = { number, words: '', calls: [] };
      run.steps.push(step);
    }
    return step;
  };
  for (const ev of events) {
    const d = ev.data || {};
    if (ev.type === 'start')
      run.start = ev;
    else if (ev.type === 'message' && d.role === 'assistant')
      stepNamed(d.step || run.steps.length + 1).words = d.content || '';
    else if (ev.type === 'tool_start') {
      const call = { name: d.tool_name, input: d.tool_input, started: ev.ts, end: null };
      run.tools.set(d.call_id, call);
      (step || stepNamed(1)).calls.push(call);
    } else if (ev.type === 'tool_end') {
      const call = run.tools.get(d.call_id);
      if (call)
        call.end = { ...d, ts: ev.ts };
    } else if (ev.type === 'screenshot')
      run.shots.push({ ts: ev.ts, src: `data:${d.mime};base64,${d.image}` });
    else if (ev.type === 'complete' || ev.type === 'error')
      run.end = ev;
  }
  return run;
}

function summary(run) {
  const start = run.start ? run.start.data : {};
  const end = run.end ? run.end.data : {};
  const usage = end.usage || {};
  const section = el('section', 'summary');
  section.append(el('h1', '', start.command || data.messageId));
  const outcome = run.end
    ? (run.end.type === 'error' ? 'failed' : end.outcome || 'finished')
    : 'still running';
  section.append(el('p', `outcome outcome-${outcome}`, outcome));
  const facts = el('dl', 'facts');
  const fact = (name, value) => {
    if (value === undefined || value === null || value === '')
      return;
    facts.append(el('dt', '', name), el('dd', '', String(value)));
  };
  fact('Run', data.messageId);
  fact('Session', data.session);
  fact('Started', when(run.start && run.start.ts));
  fact('Ended', when(run.end && run.end.ts));
  if (run.start && run.end)
    fact('Duration', seconds(run.end.ts - run.start.ts));
  fact('Model', start.llm ? `${start.llm.model} (${start.llm.provider})` : '');
  fact('Steps', end.steps);
  fact('Tokens', usage.total_tokens !== undefined
    ? `${usage.total_tokens} (${usage.prompt_tokens} prompt, ${usage.completion_tokens} completion)`
    : '');
  fact('Model calls', usage.model_calls);
  fact('Tool calls', usage.tool_calls);
  fact('Cost', usage.cost_usd !== undefined ? `$${Number(usage.cost_usd).toFixed(4)}` : '');
  section.append(facts);
  const answer = end.result || end.error || end.message;
  if (answer) {
    section.append(el('h2', '', run.end.type === 'error' ? 'What went wrong' : 'Answer'));
    section.append(el('p', 'answer', answer));
  }
  return section;
}

function player() {
  const section = el('section', 'player');
  if (!data.frames.length)
    return section;
  section.append(el('h2', '', 'The page, as it changed'));
  const image = el('img', 'screen');
  image.alt = 'the page';
  const controls = el('div', 'controls');
  const play = el('button', '', 'Play');
  play.type = 'button';
  const slider = el('input');
  slider.type = 'range';
  slider.min = 0;
  slider.max = data.frames.length - 1;
  slider.value = data.frames.length - 1;
  slider.setAttribute('aria-label', 'frame');
  const label = el('span', 'at');
  controls.append(play, slider, label);
  section.append(image, controls);
  const origin = data.frames[0].ts;
  const show = index => {
    const frame = data.frames[index];
    image.src = frame.src;
    slider.value = index;
    label.textContent = `frame ${frame.id} of ${data.frames.length}, ${seconds(frame.ts - origin)}`;
  };
  let timer = null;
  const stop = () => {
    clearTimeout(timer);
    timer = null;
    play.textContent = 'Play';
  };
  const next = index => {
    show(index);
    if (index + 1 >= data.frames.length)
      return stop();
    const gap = Math.min(2000, Math.max(40, data.frames[index + 1].ts - data.frames[index].ts));
    timer = setTimeout(() => next(index + 1), gap);
  };
  play.addEventListener('click', () => {
    if (timer)
      return stop();
    play.textContent = 'Pause';
    const at = Number(slider.value);
    next(at + 1 >= data.frames.length ? 0 : at);
  });
  slider.addEventListener('input', () => {
    stop();
    show(Number(slider.value));
  });
  show(data.frames.length - 1);
  return section;
}

function toolCard(call, run) {
  const card = el('article', 'tool');
  const head = el('h4', '', call.name);
  if (call.end) {
    head.append(el('span', call.end.ok ? 'ok' : 'failed', call.end.ok ? ' ok' : ' failed'));
    head.append(el('span', 'took', ` ${call.end.duration_ms} ms`));
  }
  card.append(head);
  card.append(el('p', 'label', 'Input'), el('pre', 'input', JSON.stringify(call.input, null, 2)));
  if (call.end) {
    card.append(el('p', 'label', 'Output'), el('pre', 'output', call.end.output || ''));
    const after = call.end.ts;
    const shot = frameAt(after + 1) || run.shots.filter(s => s.ts <= after + 1).pop();
    if (shot) {
      const image = el('img', 'after');
      image.src = shot.src;
      image.alt = `the page after ${call.name}`;
      card.append(image);
    }
  }
  return card;
}

function steps(run) {
  const section = el('section', 'steps');
  section.append(el('h2', '', 'Steps'));
  for (const step of run.steps) {
    const block = el('div', 'step');
    block.append(el('h3', '', `Step ${step.number}`));
    if (step.words)
      block.append(el('p', 'words', step.words));
    for (const call of step.calls)
      block.append(toolCard(call, run));
    section.append(block);
  }
  return section;
}

const run = readRun(data.events);
document.title = `AgentTheo run: ${run.start ? run.start.data.command : data.messageId}`;
const root = document.getElementById('report');
root.replaceChildren(summary(run), player(), steps(run));
root.append(el('footer', '', `Made by AgentTheo from run ${data.messageId}'s `
  + `${data.events.length} events and ${data.frames.length} frames.`));
