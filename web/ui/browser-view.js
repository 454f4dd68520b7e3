// The agent's browser as the page shows it: the latest screenshot and the
// page's URL.

export class BrowserView {
  constructor() {
    this.image = document.getElementById('screenshot');
    this.placeholder = document.getElementById('no-screenshot');
    this.url = document.getElementById('page-url');
    this.dot = this.url.previousElementSibling;
    this.caption = document.getElementById('screenshot-caption');
    this.shots = 0;
  }

  clear(pageUrl = '') {
    this.image.hidden = true;
    this.image.removeAttribute('src');
    this.placeholder.hidden = false;
    this.caption.textContent = '';
    this.showUrl(pageUrl);
  }

  /** The page the agent is on; `failed`: the address it could not open. */
  showUrl(url, failed = false) {
    this.url.textContent = url || 'no page yet';
    this.url.title = failed ? 'could not open this page' : '';
    this.dot.className = `dot ${failed ? 'failed' : url ? 'open' : 'none'}`;
  }

  /** A `screenshot` event: base64 `image` (SSE) or a `blob` (WebSocket). */
  showScreenshot(data, when = new Date()) {
    this.shots += 1;
    this.show(data.blob ?? `data:${data.mime || 'image/jpeg'};base64,${data.image}`);
    if (data.url)
      this.showUrl(data.url);
    this.caption.textContent = `Screenshot at ${when.toLocaleTimeString()}`;
  }

  /** A frame of the page's live screencast (WebSocket). */
  showFrame(header, blob, when = new Date()) {
    this.frames = (this.frames ?? 0) + 1;
    // The frame's space: where a person's clicks are measured in.
    this.frameSize = { width: header.width, height: header.height };
    this.show(blob);
    this.caption.textContent = `Live view at ${when.toLocaleTimeString()}`;
  }

  show(source) {
    // Blob URLs hold their image until revoked: keep only the one shown.
    if (this.objectUrl)
      URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = source instanceof Blob ? URL.createObjectURL(source) : null;
    this.image.src = this.objectUrl ?? source;
    this.image.hidden = false;
    this.placeholder.hidden = true;
  }
}
