// Covers the text fields at `indices` (of field_values' list) with opaque
// boxes for a screenshot; `null` takes the boxes away again. The boxes sit
// at the fields' page coordinates, so a full-page capture covers them too.
(indices) => {
  document.querySelectorAll('[data-agenttheo-mask]').forEach((b) => b.remove());
  if (!indices) return 0;
  const fields = [...document.querySelectorAll('input, textarea')];
  let covered = 0;
  for (const i of indices) {
    const field = fields[i];
    if (!field) continue;
    const r = field.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const box = document.createElement('div');
    box.setAttribute('data-agenttheo-mask', '');
    box.style.cssText = 'position:absolute;background:#000;z-index:2147483647;' +
      `pointer-events:none;left:${r.left + window.scrollX}px;` +
      `top:${r.top + window.scrollY}px;width:${r.width}px;height:${r.height}px`;
    document.documentElement.appendChild(box);
    covered += 1;
  }
  return covered;
}
