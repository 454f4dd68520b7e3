// restore_storage: run in every new document while a session's page is
// reopened; puts its saved localStorage back before the page's own scripts
// read it, on the saved origin only.
(saved) => {
  if (location.origin !== saved.origin) return;
  try {
    for (const [key, value] of saved.storage) localStorage.setItem(key, value);
  } catch (e) {
    // Storage disabled: the page starts without it, as it would anyway.
  }
}
