// get_interactive_elements: the visible links, buttons and fields, numbered
// (the number is kept on the element for click and type_text).
(max) => {
  const all = [...document.querySelectorAll(
    'a[href],button,input,select,textarea,summary,[role=button],[role=link],' +
    '[onclick],[contenteditable=true]')];
  const visible = all.filter((e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' &&
      s.display !== 'none' && e.type !== 'hidden';
  });
  document.querySelectorAll('[data-agenttheo-index]').forEach((e) =>
    e.removeAttribute('data-agenttheo-index'));
  return visible.slice(0, max).map((e, i) => {
    e.setAttribute('data-agenttheo-index', String(i + 1));
    const role = e.getAttribute('role') || (e.tagName === 'INPUT' ? e.type : '');
    const text = (e.innerText || e.value || e.getAttribute('aria-label') ||
      e.placeholder || e.name || '').trim().replace(/\s+/g, ' ').slice(0, 80);
    const href = e.href ? ' -> ' + e.href : '';
    return `[${i + 1}] ${e.tagName.toLowerCase()}${role ? ' ' + role : ''}` +
      ` "${text}"${href}`;
  }).join('\n') || 'no interactive elements';
}
