// select_option: choose an option of a <select> by its value or its text
// (exact first, then contained), as a person would: the page hears input
// and change. {ok, output}.
({target, option}, {resolve, describe}) => {
  const el = resolve(target);
  const list = () => 'select' + (el.id ? '#' + el.id : el.name ? '[name=' + el.name + ']' : '');
  if (!el) return {ok: false, output: 'no element matches ' + target};
  if (el.tagName !== 'SELECT') {
    return {ok: false, output: describe(el) + ' is not a drop-down list (select)'};
  }
  const want = String(option).trim().toLowerCase();
  const options = [...el.options];
  const text = (o) => o.text.trim().toLowerCase();
  const chosen = options.find((o) => o.value.toLowerCase() === want) ||
    options.find((o) => text(o) === want) ||
    options.find((o) => text(o).includes(want));
  if (!chosen) {
    return {ok: false, output: 'no option "' + option + '" in ' + list() +
      '; it has: ' + options.map((o) => o.text.trim()).slice(0, 20).join(', ')};
  }
  if (chosen.disabled) return {ok: false, output: 'option "' + chosen.text.trim() + '" is disabled'};
  el.scrollIntoView({block: 'center'});
  el.value = chosen.value;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return {ok: true, output: 'selected "' + chosen.text.trim() + '" in ' + list()};
}
