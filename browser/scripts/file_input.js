// file_input: the file input (input type=file) upload_file sets, as
// {ok, output, element}: `element` for Runtime.evaluate without
// returnByValue, which hands the node itself to DOM.setFileInputFiles.
(target, {resolve, describe}) => {
  const el = resolve(target);
  if (!el) return {ok: false, output: 'no element matches ' + target};
  if (el.tagName !== 'INPUT' || el.type !== 'file') {
    return {ok: false, output: describe(el) + ' is not a file input (input type=file)'};
  }
  if (el.disabled) return {ok: false, output: describe(el) + ' is disabled'};
  return {ok: true, output: describe(el), element: el};
}
