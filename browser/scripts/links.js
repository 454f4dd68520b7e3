// get_links: `text -> url`, one a line, at most `max`.
(max) => [...document.links].slice(0, max).map((a) =>
  `${(a.innerText || a.title || '').trim().replace(/\s+/g, ' ').slice(0, 80)}` +
  ` -> ${a.href}`).join('\n') || 'no links'
