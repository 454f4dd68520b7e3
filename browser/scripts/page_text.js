// get_page_text: the visible text, at most `max` characters. Blocks (and
// <br>) become line breaks and neighbouring links or buttons stay apart,
// so a nav bar reads "Home Products Contact", not "HomeProductsContact"
// as innerText gives it.
(max) => {
  const blocks = /^(block|flex|grid|list-item|table|table-row|table-caption|flow-root)$/;
  const separate = new Set(['A', 'BUTTON', 'LABEL', 'TD', 'TH', 'INPUT', 'SELECT', 'OPTION']);
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD']);
  let text = '';
  const newline = () => {
    text = text.replace(/ +$/, '');
    if (text && !text.endsWith('\n')) text += '\n';
  };
  const walk = (node) => {
    if (text.length > 2 * max + 200) return; // enough to cut from
    if (node.nodeType === Node.TEXT_NODE) {
      const words = node.data.replace(/\s+/g, ' ');
      // Layout whitespace between blocks is no text.
      if (words !== ' ' || !(text === '' || /[\n ]$/.test(text))) text += words;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE || skip.has(node.tagName)) return;
    const style = getComputedStyle(node);
    if (style.display === 'none' || style.visibility === 'hidden') return;
    if (node.tagName === 'BR') {
      text += '\n';
      return;
    }
    const block = blocks.test(style.display);
    if (block) newline();
    for (const child of node.childNodes) walk(child);
    if (block) newline();
    else if (separate.has(node.tagName)) text += ' ';
  };
  if (document.body) walk(document.body);
  const t = text.replace(/[ \t]+\n/g, '\n').replace(/\n[ \t]+/g, '\n')
    .replace(/ {2,}/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
  return t.length > max ? t.slice(0, max) + ' [...]' : t;
}
