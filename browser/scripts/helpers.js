// Shared by the scripts that act on one element (click, focus): the page
// scripts are called as `(script)(argument, helpers)`.
({
  // The element a tool means: a number from get_interactive_elements, a CSS
  // selector, or visible text (exact first, then contained), or the element
  // itself; a label stands for its control.
  resolve(target) {
    // An element already (a snapshot's ref, bound by the server).
    if (target && typeof target === 'object' && target.nodeType === 1) {
      return target.tagName === 'LABEL' && target.control ? target.control : target;
    }
    const t = String(target).trim();
    let el = /^\d+$/.test(t)
      ? document.querySelector(`[data-agenttheo-index="${t}"]`)
      : null;
    if (!el) {
      try {
        el = document.querySelector(t);
      } catch (e) {
        // Not a selector: try it as text below.
      }
    }
    if (!el) {
      const want = t.toLowerCase();
      const all = [...document.querySelectorAll(
        'a,button,input,select,textarea,label,summary,[role=button],' +
        '[role=link],[onclick]')];
      const text = (e) => (e.innerText || e.value || e.getAttribute('aria-label') ||
        e.placeholder || e.name || '').trim().toLowerCase();
      el = all.find((e) => text(e) === want) ||
        all.find((e) => text(e).includes(want)) || null;
    }
    if (el && el.tagName === 'LABEL' && el.control) el = el.control;
    return el;
  },

  // `button#send "Send"`, for the tool's output.
  describe(el) {
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' +
      (el.innerText || el.value || el.placeholder || '').trim().slice(0, 60) + '"';
  },
})
