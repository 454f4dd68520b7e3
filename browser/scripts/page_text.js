// get_page_text: the visible text, at most `max` characters.
(max) => {
  const t = (document.body ? document.body.innerText : '')
    .replace(/\n{3,}/g, '\n\n').trim();
  return t.length > max ? t.slice(0, max) + ' [...]' : t;
}
