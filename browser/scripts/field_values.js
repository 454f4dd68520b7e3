// What each text field holds, in document order: the page actor looks for
// secrets in them before a screenshot (it never sends the values in).
() => JSON.stringify([...document.querySelectorAll('input, textarea')]
  .map((e) => String(e.value ?? '')))
