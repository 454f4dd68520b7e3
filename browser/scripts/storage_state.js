// storage_state: what an idle session's page leaves behind when its context
// is lent to another session: its address and its origin's localStorage
// (cookies are read through CDP). A JSON string.
() => {
  let storage = [];
  try {
    storage = Object.entries(localStorage);
  } catch (e) {
    // An opaque origin (about:blank, data:) has no storage.
  }
  return JSON.stringify({ url: location.href, origin: location.origin, storage });
}
