// wait_for: {text | selector, timeout_ms}; resolves {ok, output}.
(arg) => new Promise((done) => {
  const met = () => arg.selector
    ? !!document.querySelector(arg.selector)
    : (document.body && document.body.innerText.includes(arg.text));
  const started = Date.now();
  const check = () => {
    if (met()) {
      return done({ok: true, output: 'found ' + (arg.selector || JSON.stringify(arg.text))});
    }
    if (Date.now() - started > arg.timeout_ms) {
      return done({ok: false, output: 'not found within ' + arg.timeout_ms + ' ms'});
    }
    setTimeout(check, 50);
  };
  check();
})
