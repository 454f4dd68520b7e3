// hover, first half: bring the element into view and find its centre in
// the top page's viewport (through same-origin frames), where the server
// then moves the mouse. {ok, output, x, y}.
(target, {resolve, describe}) => {
  const el = resolve(target);
  if (!el) return {ok: false, output: 'no element matches ' + target};
  el.scrollIntoView({block: 'center'});
  const r = el.getBoundingClientRect();
  let x = r.left + r.width / 2;
  let y = r.top + r.height / 2;
  for (let w = el.ownerDocument.defaultView; w && w.frameElement; w = w.parent) {
    const frame = w.frameElement.getBoundingClientRect();
    x += frame.left + w.frameElement.clientLeft;
    y += frame.top + w.frameElement.clientTop;
  }
  return {ok: true, output: describe(el), x, y};
}
