// A button for what cannot be undone (delete a session, clear idle ones,
// end a session from the admin console): the first click turns it into
// its question, the second within CONFIRM_MS acts.

/** A second click within this long confirms. */
export const CONFIRM_MS = 4000;

/** Makes `button` act (`act()`) on its second click; the first shows
 *  `asking()` and the `confirm` class until the time is up. */
export function confirming(button, asking, act) {
  const label = button.textContent;
  const title = button.title;
  let timer = null;
  const reset = () => {
    clearTimeout(timer);
    button.classList.remove('confirm');
    button.textContent = label;
    button.title = title;
  };
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    if (!button.classList.contains('confirm')) {
      button.classList.add('confirm');
      button.textContent = asking();
      button.title = 'Click again to confirm';
      timer = setTimeout(reset, CONFIRM_MS);
      return;
    }
    reset();
    act();
  });
}
