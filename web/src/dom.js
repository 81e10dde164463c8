// Tiny DOM helpers: an element builder, labelled fields with an error slot, and a token
// (combo box) input. Everything is built with createElement/textContent: no HTML strings.

let counter = 0;
export const uid = (prefix) => `${prefix}-${++counter}`;

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * A labelled control with its error message slot right below it. `errors` maps field keys to
 * elements so messages (client or server) can be shown next to the field they concern.
 */
export function field(label, control, { key, errors, help } = {}) {
  const id = control.id || uid('f');
  control.id = id;
  const errId = `${id}-error`;
  const error = h('p', { class: 'error', id: errId, role: 'alert', hidden: true });
  const described = [errId];
  let helpEl = null;
  if (help) {
    helpEl = h('p', { class: 'help', id: `${id}-help` }, help);
    described.push(`${id}-help`);
  }
  const target = control.querySelector?.('input:not([type=hidden])') || control;
  target.setAttribute('aria-describedby', described.join(' '));
  if (target !== control) {
    target.id = id;
    control.removeAttribute('id');
  }
  if (key && errors) errors.set(key, { error, control: target });
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, helpEl, error);
}

/** Show `message` under the field `key` (false when the form has no such field). */
export function showError(errors, key, message) {
  const slot = errors.get(key);
  if (!slot) return false;
  slot.error.textContent = message;
  slot.error.hidden = false;
  slot.control.setAttribute('aria-invalid', 'true');
  return true;
}

export function clearErrors(errors) {
  for (const { error, control } of errors.values()) {
    error.hidden = true;
    error.textContent = '';
    control.removeAttribute('aria-invalid');
  }
}

/**
 * A combo box of tokens: type a value (suggestions from `suggestions`) and press Enter or
 * comma; each token has a remove button. `get()` returns the tokens (pending text included).
 */
export function tokenInput({ values = [], suggestions = [], readOnly = false, placeholder = '' }) {
  const tokens = [...values];
  const listId = uid('suggest');
  const list = h('datalist', { id: listId }, suggestions.map((s) => h('option', { value: s })));
  const chips = h('ul', { class: 'chips' });
  const input = h('input', { type: 'text', list: listId, autocomplete: 'off', placeholder, readonly: readOnly });
  const render = () => {
    chips.replaceChildren(...tokens.map((t, i) => h('li', { class: 'chip' },
      h('span', {}, t),
      readOnly ? null : h('button', {
        type: 'button', class: 'chip-remove', 'aria-label': `Remove ${t}`,
        onclick: () => { tokens.splice(i, 1); render(); input.focus(); },
      }, '×'))));
  };
  const commit = () => {
    for (const part of input.value.split(',')) {
      const v = part.trim();
      if (v && !tokens.includes(v)) tokens.push(v);
    }
    input.value = '';
    render();
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ',') {
      if (input.value.trim()) { e.preventDefault(); commit(); } else if (e.key === ',') e.preventDefault();
    } else if (e.key === 'Backspace' && !input.value && tokens.length && !readOnly) {
      tokens.pop();
      render();
    }
  });
  input.addEventListener('change', () => { if (input.value.includes(',') || suggestions.includes(input.value.trim())) commit(); });
  input.addEventListener('blur', () => { if (input.value.trim()) commit(); });
  render();
  const wrap = h('div', { class: 'tokens' }, chips, input, list);
  wrap.get = () => { if (input.value.trim()) commit(); return [...tokens]; };
  return wrap;
}

export function checkbox(label, checked, onchange, attrs = {}) {
  const id = uid('c');
  const box = h('input', { type: 'checkbox', id, checked, onchange: (e) => onchange(e.target.checked), ...attrs });
  return h('div', { class: 'check' }, box, h('label', { for: id }, label));
}

/** A modal confirmation; resolves true when confirmed. */
export function confirmDialog(title, text, confirmLabel) {
  return new Promise((resolve) => {
    const titleId = uid('t');
    const dialog = h('dialog', { 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title), h('p', {}, text));
    const done = (v) => { dialog.close(); dialog.remove(); resolve(v); };
    dialog.append(h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => done(false) }, 'Cancel'),
      h('button', { type: 'button', class: 'danger', onclick: () => done(true) }, confirmLabel)));
    dialog.addEventListener('cancel', () => done(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}
