// Spaces list and create/edit space (Kibana's spaces API). The list shows only the spaces the
// user may see; the API decides. Creating, editing and deleting need Kibana's global
// `space:manage`: without it the pages are read-only (the API refuses anyway).

import { h, field, checkbox, showError, clearErrors, confirmDialog } from './dom.js';
import { kibana, enc } from './api.js';
import { navigate, session } from './app.js';

export async function spacesPage() {
  let spaces;
  try {
    spaces = await kibana.get('/api/spaces/space');
  } catch (err) {
    return [h('h1', {}, 'Spaces'), h('p', { class: 'callout' }, err.status === 403 ? 'You have no access to any space.' : err.message)];
  }
  const status = h('p', { role: 'status', class: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const draw = () => tbody.replaceChildren(...spaces.map((s) => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `/app/management/spaces/edit/${enc(s.id)}` }, s.name), s._reserved ? h('span', { class: 'badge' }, 'Reserved') : null),
    h('td', {}, s.id),
    h('td', {}, s.description || ''),
    h('td', {}, s._reserved || !session.canManageSpaces ? null : h('button', {
      type: 'button', class: 'small danger', 'aria-label': `Delete space ${s.name}`,
      onclick: async () => {
        if (!(await confirmDialog(`Delete space ${s.name}?`, 'The space and everything saved in it are deleted.', 'Delete space'))) return;
        try {
          await kibana.del(`/api/spaces/space/${enc(s.id)}`);
          spaces.splice(spaces.indexOf(s), 1);
          status.textContent = `Deleted space ${s.name}`;
          draw();
        } catch (err) { status.textContent = err.message; }
      },
    }, 'Delete')))));
  draw();
  return [
    h('div', { class: 'page-head' }, h('h1', {}, 'Spaces'),
      session.canManageSpaces ? h('a', { class: 'button primary', href: '/app/management/spaces/edit' }, 'Create space') : null),
    status,
    h('table', { class: 'list' }, h('caption', { class: 'visually-hidden' }, 'Spaces'),
      h('thead', {}, h('tr', {}, ['Space', 'URL identifier', 'Description'].map((c) => h('th', { scope: 'col' }, c)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      tbody),
  ];
}

/** Kibana's suggestion: lowercase name, anything outside [a-z0-9_] becomes '-'. */
export const suggestId = (name) => name.toLowerCase().replace(/[^a-z0-9_]/g, '-');

export async function spacePage(id) {
  const creating = id === undefined;
  const readOnly = !session.canManageSpaces;
  if (creating && readOnly) {
    return [h('h1', {}, 'Create space'),
      h('p', { class: 'callout' }, 'You need the Kibana privilege to manage spaces (All at all spaces) to create a space.'),
      h('p', {}, h('a', { href: '/app/management/spaces' }, 'Back to spaces'))];
  }
  const [space, features] = await Promise.all([
    creating ? { id: '', name: '', description: '', disabledFeatures: [] } : kibana.get(`/api/spaces/space/${enc(id)}`),
    kibana.get('/api/features').catch(() => []),
  ]);
  const errors = new Map();
  const name = h('input', { type: 'text', value: space.name, readonly: readOnly });
  const urlId = h('input', { type: 'text', value: space.id, readonly: !creating });
  let idEdited = !creating;
  urlId.addEventListener('input', () => { idEdited = true; });
  name.addEventListener('input', () => { if (!idEdited) urlId.value = suggestId(name.value); });
  const description = h('textarea', { rows: 2, readonly: readOnly });
  description.value = space.description || '';
  const disabled = new Set(space.disabledFeatures || []);
  const toggles = h('fieldset', { class: 'features' }, h('legend', {}, 'Features'),
    h('p', { class: 'help' }, 'Hidden features are not shown in this space (this is not a security boundary).'),
    features.map((f) => checkbox(f.name, !disabled.has(f.id), (on) => { if (on) disabled.delete(f.id); else disabled.add(f.id); })));
  if (readOnly) toggles.disabled = true;
  const formError = h('p', { class: 'error', role: 'alert', hidden: true });
  errors.set('form', { error: formError, control: formError });
  const submit = async (e) => {
    e.preventDefault();
    clearErrors(errors);
    const body = { ...space, id: urlId.value.trim(), name: name.value, description: description.value, disabledFeatures: [...disabled] };
    delete body._reserved;
    let bad = false;
    if (!body.name.trim()) { showError(errors, 'name', 'Name is required.'); bad = true; }
    if (!/^[a-z0-9_-]+$/.test(body.id)) { showError(errors, 'id', "URL identifier must be lower case, a-z, 0-9, '_', and '-' are allowed."); bad = true; }
    if (bad) return;
    try {
      if (creating) await kibana.post('/api/spaces/space', body);
      else await kibana.put(`/api/spaces/space/${enc(body.id)}`, body);
      navigate('/app/management/spaces');
    } catch (err) {
      const key = /identifier|\[id\]|\.id\]/.test(err.message) ? 'id' : /name/.test(err.message) ? 'name' : 'form';
      showError(errors, key, err.message);
    }
  };
  return h('form', { novalidate: true, onsubmit: submit },
    h('h1', {}, creating ? 'Create space' : readOnly ? `Space ${space.name}` : `Edit space ${space.name}`),
    readOnly ? h('p', { class: 'callout' }, 'You can view this space but not change it.') : null,
    field('Name', name, { key: 'name', errors }),
    field('URL identifier', urlId, { key: 'id', errors, help: 'Part of the URL of the space; it cannot change later.' }),
    field('Description', description, { key: 'description', errors }),
    toggles, formError,
    h('div', { class: 'actions' },
      readOnly ? null : h('button', { type: 'submit', class: 'primary' }, creating ? 'Create space' : 'Update space'),
      h('a', { class: 'button', href: '/app/management/spaces' }, readOnly ? 'Back to spaces' : 'Cancel')));
}
