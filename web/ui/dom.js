// Building the page's elements: the one helper the UI's views share.

/** A `tag` element with `className` and, if given, `text` as its content. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className)
    node.className = className;
  if (text !== undefined)
    node.textContent = text;
  return node;
}
