// type_text, first half: focus the field and clear it; {ok, output} where
// output describes the field. The text is then inserted through CDP.
(target, {resolve, describe}) => {
  const el = resolve(target);
  if (!el) return {ok: false, output: 'no element matches ' + target};
  el.scrollIntoView({block: 'center'});
  el.focus();
  if ('value' in el) el.value = '';
  return {ok: true, output: describe(el)};
}
