// scroll: {direction, amount}; most of a screen unless amount says.
(arg) => {
  const step = arg.amount || Math.round(innerHeight * 0.8);
  scrollBy(0, arg.direction === 'up' ? -step : step);
  return `scrolled ${arg.direction} to y=${Math.round(scrollY)} of ` +
    `${document.documentElement.scrollHeight}`;
}
