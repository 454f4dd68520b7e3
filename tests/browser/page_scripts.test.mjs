// The page scripts (browser/scripts/*.js) as JavaScript: each parses as
// the function expression the server calls, and each does its job on a
// page in jsdom. The real-Chromium suites (browser.page_tools) run them
// through CDP; this one pins their own behaviour.
import assert from 'node:assert/strict';
import {readFileSync, readdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const scripts = path.join(root, 'browser', 'scripts');
const require = createRequire(path.join(root, 'clients', 'js', 'package.json'));
const {JSDOM} = require('jsdom');

const source = (name) => readFileSync(path.join(scripts, `${name}.js`), 'utf8');

/// Runs `name` in a page of `html` exactly as the server does:
/// `(script)(argument, helpers)`.
/// Values come back as plain JSON, as Runtime.evaluate's returnByValue
/// gives them. jsdom has no layout: innerText is its textContent here, and
/// scrolling an element into view does nothing.
function run(html, name, argument) {
  // 'dangerously' runs the fixtures' own inline handlers (onclick).
  const dom = new JSDOM(html, {runScripts: 'dangerously', url: 'http://127.0.0.1/'});
  Object.defineProperty(dom.window.HTMLElement.prototype, 'innerText', {
    get() { return this.textContent; },
  });
  dom.window.Element.prototype.scrollIntoView = () => {};
  const expression = `(${source(name)})(${JSON.stringify(argument)}, ${source('helpers')})`;
  const result = dom.window.eval(expression);
  const plain = (v) => JSON.parse(JSON.stringify(v));
  return {dom, value: result instanceof dom.window.Promise ? result.then(plain) : plain(result)};
}

test('every script is one expression', () => {
  const files = readdirSync(scripts).filter((f) => f.endsWith('.js'));
  assert.equal(files.length, 17);
  for (const file of files) {
    const text = readFileSync(path.join(scripts, file), 'utf8');
    assert.doesNotThrow(() => new Function(`return (${text});`), file);
  }
});

test('click finds its element by text, by selector, and by a label', () => {
  const html = `<button id="a" onclick="this.dataset.hit='1'">Send message</button>
    <label for="c">Accept</label><input id="c" type="checkbox">`;
  let {dom, value} = run(html, 'click', 'send message');
  assert.deepEqual(value, {ok: true, output: 'clicked button#a "Send message"'});
  assert.equal(dom.window.document.getElementById('a').dataset.hit, '1');
  ({dom, value} = run(html, 'click', '#a'));
  assert.equal(value.ok, true);
  ({dom, value} = run(html, 'click', 'Accept'));
  assert.equal(value.ok, true);
  assert.equal(dom.window.document.getElementById('c').checked, true);
  ({value} = run(html, 'click', 'Nothing like it'));
  assert.deepEqual(value, {ok: false, output: 'no element matches Nothing like it'});
});

test('select_option picks by value or text and tells the page', () => {
  const html = `<select id="size" onchange="document.title = 'size ' + this.value">
    <option value="s">Small</option><option value="m" selected>Medium</option>
    <option value="xl" disabled>Extra large</option></select><p id="p">text</p>`;
  let {dom, value} = run(html, 'select_option', {target: '#size', option: 's'});
  assert.deepEqual(value, {ok: true, output: 'selected "Small" in select#size'});
  assert.equal(dom.window.document.title, 'size s');
  ({dom, value} = run(html, 'select_option', {target: '#size', option: 'medium'}));
  assert.equal(dom.window.document.getElementById('size').value, 'm');
  assert.equal(run(html, 'select_option', {target: '#size', option: 'Huge'}).value.output,
               'no option "Huge" in select#size; it has: Small, Medium, Extra large');
  assert.equal(run(html, 'select_option', {target: '#size', option: 'xl'}).value.ok, false);
  assert.match(run(html, 'select_option', {target: '#p', option: 's'}).value.output,
               /is not a drop-down list/);
});

test('hover finds the element and the point to move to', () => {
  const {value} = run('<button id="b">Menu</button>', 'hover', '#b');
  // jsdom lays nothing out: the point is the origin, the element is found.
  assert.deepEqual(value, {ok: true, output: 'button#b "Menu"', x: 0, y: 0});
  assert.equal(run('<p></p>', 'hover', '#none').value.ok, false);
});

test('file_input finds a file input and refuses anything else', () => {
  const html = '<label>CV <input type=file id=cv></label><input id=t>'
    + '<input type=file id=off disabled>';
  const {value} = run(html, 'file_input', '#cv');
  // The element itself goes back by reference; by value it is an object.
  assert.deepEqual(value, {ok: true, output: 'input#cv ""', element: {}});
  assert.match(run(html, 'file_input', '#t').value.output, /is not a file input/);
  assert.match(run(html, 'file_input', '#off').value.output, /is disabled/);
  assert.equal(run(html, 'file_input', '#none').value.ok, false);
});

test('focus finds a field by its placeholder and clears it', () => {
  let {dom, value} = run('<input id="q" placeholder="Search">', 'focus', 'Search');
  assert.deepEqual(value, {ok: true, output: 'input#q "Search"'});
  assert.equal(dom.window.document.activeElement.id, 'q');
  ({dom, value} = run('<input id="q" value="old">', 'focus', '#q'));
  // Described once cleared, as the tool reports it.
  assert.deepEqual(value, {ok: true, output: 'input#q ""'});
  assert.equal(dom.window.document.getElementById('q').value, '');
});

test('inspect_target reports what an action would act on, and changes nothing', () => {
  const html = '<form><input id="pw" type="password" name="pass" autocomplete="current-password">' +
    '<button id="go">Sign in</button></form><a id="dl" href="/file.zip" download>Get it</a>' +
    '<button id="loose" type="button">Loose</button>';
  let {dom, value} = run(html, 'inspect_target', {target: '#pw', active: false});
  assert.deepEqual(value, {
    found: true, host: '127.0.0.1', tag: 'input', type: 'password',
    autocomplete: 'current-password', name: 'pass', id: 'pw', label: 'input#pw ""',
    href: '', download: false, in_form: true, submits: false,
  });
  assert.notEqual(dom.window.document.activeElement.id, 'pw');
  // A button in a form submits it unless it says type=button.
  assert.equal(run(html, 'inspect_target', {target: 'Sign in'}).value.submits, true);
  assert.equal(run(html, 'inspect_target', {target: '#loose'}).value.submits, false);
  value = run(html, 'inspect_target', {target: 'Get it'}).value;
  assert.equal(value.href, 'http://127.0.0.1/file.zip');
  assert.equal(value.download, true);
  // `active`: the focused element, for a key press; none focused is not found.
  assert.deepEqual(run(html, 'inspect_target', {active: true}).value,
                   {found: false, host: '127.0.0.1'});
  assert.equal(run('<p>x</p>', 'inspect_target', {target: '#nothing'}).value.found, false);
});

test('links and page text are bounded', () => {
  const html = '<a href="/one">One</a><a href="/two" title="Second"></a><p>hello</p>';
  assert.equal(run(html, 'links', 1).value, 'One -> http://127.0.0.1/one');
  assert.equal(run(html, 'links', 10).value.split('\n')[1], 'Second -> http://127.0.0.1/two');
  assert.equal(run('<p></p>', 'links', 10).value, 'no links');
  assert.equal(run(html, 'page_text', 3).value, 'One [...]');
  assert.equal(run(html, 'page_text', 100).value, 'One\nhello');
});

test('page text keeps blocks and neighbouring links apart', () => {
  const html = `<nav><a href="/">Home</a><a href="/p">Products</a><a href="/c">Contact</a></nav>
    <h1>Shop</h1><p>Pots<br>and pans</p><script>ignored()</script>
    <div style="display:none">hidden</div><ul><li>one</li><li>two</li></ul>`;
  assert.equal(run(html, 'page_text', 1000).value,
               'Home Products Contact\nShop\nPots\nand pans\none\ntwo');
});

test('wait_for resolves when the text appears, and times out when not', async () => {
  const {dom, value} = run('<div id="x"></div>', 'wait_for',
                           {selector: '#later', timeout_ms: 2000});
  setTimeout(() => {
    dom.window.document.body.insertAdjacentHTML('beforeend', '<p id="later">hi</p>');
  }, 100);
  assert.deepEqual(await value, {ok: true, output: 'found #later'});
  const missing = run('<div></div>', 'wait_for', {selector: '#never', timeout_ms: 120}).value;
  assert.deepEqual(await missing, {ok: false, output: 'not found within 120 ms'});
});

test('storage_state saves the address and localStorage; restore_storage puts it back on its origin only', () => {
  const {dom} = run('<p>hi</p>', 'links', 1);
  dom.window.localStorage.setItem('cart', '3');
  const saved = JSON.parse(dom.window.eval(`(${source('storage_state')})()`));
  assert.deepEqual(saved, {url: 'http://127.0.0.1/', origin: 'http://127.0.0.1',
                           storage: [['cart', '3']]});
  const fresh = new JSDOM('<p></p>', {runScripts: 'dangerously', url: 'http://127.0.0.1/other'});
  fresh.window.eval(`(${source('restore_storage')})(${JSON.stringify(saved)})`);
  assert.equal(fresh.window.localStorage.getItem('cart'), '3');
  const elsewhere = new JSDOM('<p></p>', {runScripts: 'dangerously', url: 'http://localhost/'});
  elsewhere.window.eval(`(${source('restore_storage')})(${JSON.stringify(saved)})`);
  assert.equal(elsewhere.window.localStorage.getItem('cart'), null);
});

test('page_digest changes with the text and the scroll, and only with them', () => {
  const html = '<p id="p">Signed out</p><button>Sign in</button>';
  const {dom, value: before} = run(html, 'page_digest', null);
  assert.match(before, /^[0-9a-f]+:\d+@0,0$/);
  assert.equal(run(html, 'page_digest', null).value, before);
  dom.window.document.body.setAttribute('class', 'restyled');
  const digest = () => dom.window.eval(`(${source('page_digest')})(null)`);
  assert.equal(digest(), before);
  dom.window.document.getElementById('p').textContent = 'Signed in';
  const changed = digest();
  assert.notEqual(changed, before);
  dom.window.scrollY = 400;
  assert.notEqual(digest(), changed);
});

test('field_values lists what fields hold; mask_fields covers the ones named, then uncovers', () => {
  const html = '<input id="u" value="theo"><input id="p" type="password" value="s3cret-pw">' +
    '<textarea id="t">notes</textarea>';
  const {dom, value} = run(html, 'field_values', null);
  assert.deepEqual(JSON.parse(value), ['theo', 's3cret-pw', 'notes']);
  const {window} = dom;
  // jsdom has no layout: give the password field a box.
  window.document.getElementById('p').getBoundingClientRect =
    () => ({left: 10, top: 20, width: 100, height: 16});
  const mask = (arg) => window.eval(`(${source('mask_fields')})(${JSON.stringify(arg)})`);
  assert.equal(mask([1, 7]), 1);
  const boxes = window.document.querySelectorAll('[data-agenttheo-mask]');
  assert.equal(boxes.length, 1);
  assert.match(boxes[0].style.cssText, /left: 10px; top: 20px; width: 100px; height: 16px/);
  assert.equal(mask(null), 0);
  assert.equal(window.document.querySelectorAll('[data-agenttheo-mask]').length, 0);
});
