// What an action would act on, for the approval rules: the element a
// target names (or, with `active`, the focused one), without touching it.
// Never changes the page.
({target, active}, {resolve, describe}) => {
  const el = active ? document.activeElement : resolve(target);
  const facts = {found: false, host: location.hostname};
  if (!el || el === document.body) return facts;
  const tag = el.tagName.toLowerCase();
  const type = (el.getAttribute('type') || '').toLowerCase();
  const form = el.form || el.closest('form');
  const link = el.closest('a[href]');
  const submitButton = (tag === 'button' && (type === '' || type === 'submit')) ||
    (tag === 'input' && (type === 'submit' || type === 'image'));
  return Object.assign(facts, {
    found: true,
    tag,
    type: tag === 'input' ? (el.type || type) : type,
    autocomplete: el.getAttribute('autocomplete') || '',
    name: el.getAttribute('name') || '',
    id: el.id || '',
    label: describe(el),
    href: link ? link.href : '',
    download: !!(link && link.hasAttribute('download')),
    in_form: !!form,
    submits: !!form && submitButton,
  });
}
