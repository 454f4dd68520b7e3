// The agent's browser as the page shows it: the latest screenshot and the
// page's URL.

export class BrowserView {
  constructor() {
    this.image = document.getElementById('screenshot');
    this.placeholder = document.getElementById('no-screenshot');
    this.url = document.getElementById('page-url');
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

  showUrl(url) {
    this.url.textContent = url || 'no page yet';
  }

  showScreenshot(data, when = new Date()) {
    this.shots += 1;
    this.image.src = `data:${data.mime || 'image/jpeg'};base64,${data.image}`;
    this.image.hidden = false;
    this.placeholder.hidden = true;
    if (data.url)
      this.showUrl(data.url);
    this.caption.textContent = `Screenshot at ${when.toLocaleTimeString()}`;
  }
}
