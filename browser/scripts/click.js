// click: {ok, output}.
(target, {resolve, describe}) => {
  const el = resolve(target);
  if (!el) return {ok: false, output: 'no element matches ' + target};
  el.scrollIntoView({block: 'center'});
  el.click();
  return {ok: true, output: 'clicked ' + describe(el)};
}
