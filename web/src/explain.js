// "Explain access": ask the engine one question about a user (a cluster action or privilege,
// an index action on indices, or a Kibana privilege in a space) and show the decision.

import { h, field, showError, clearErrors } from './dom.js';
import { es } from './api.js';
import { session } from './app.js';

export async function explainPage() {
  const users = session.canRead ? Object.keys(await es('GET', '/_security/user').catch(() => ({}))) : [];
  const errors = new Map();
  const user = h('input', { type: 'text', value: session.username, list: 'explain-users', autocomplete: 'off' });
  const kind = h('select', {},
    h('option', { value: 'cluster' }, 'Cluster action or privilege'),
    h('option', { value: 'index' }, 'Index action'),
    h('option', { value: 'application' }, 'Kibana privilege in a space'));
  const action = h('input', { type: 'text', value: 'monitor', autocomplete: 'off' });
  const indices = h('input', { type: 'text', placeholder: 'logs-2025, metrics-*' });
  const space = h('input', { type: 'text', value: 'default' });
  const indicesField = field('Indices', indices, { key: 'indices', errors, help: 'Comma-separated index names.' });
  const spaceField = field('Space', space, { key: 'space', errors });
  const sync = () => {
    indicesField.hidden = kind.value !== 'index';
    spaceField.hidden = kind.value !== 'application';
  };
  kind.addEventListener('change', () => {
    action.value = { cluster: 'monitor', index: 'indices:data/read/search', application: 'space_read' }[kind.value];
    sync();
  });
  sync();
  const result = h('div', { 'aria-live': 'polite' });
  const formError = h('p', { class: 'error', role: 'alert', hidden: true });
  errors.set('form', { error: formError, control: formError });
  const submit = async (e) => {
    e.preventDefault();
    clearErrors(errors);
    const body = { user: user.value.trim() || session.username };
    if (kind.value === 'cluster') body.cluster = action.value.trim();
    else if (kind.value === 'index') {
      const names = indices.value.split(',').map((s) => s.trim()).filter(Boolean);
      if (!names.length) { showError(errors, 'indices', 'Enter at least one index.'); return; }
      body.index = { action: action.value.trim(), names };
    } else {
      body.application = { application: 'kibana-.kibana', privilege: action.value.trim(), resource: `space:${space.value.trim()}` };
    }
    try {
      const answer = await es('POST', '/_security/_explain', body);
      const r = answer.result;
      const allowed = r.decision === 'allowed';
      result.replaceChildren(
        h('h2', {}, 'Decision'),
        h('p', { class: allowed ? 'decision allowed' : 'decision denied' }, allowed ? `Allowed for ${answer.username}` : `Denied for ${answer.username}`),
        r.message ? h('p', {}, r.message) : null,
        r.reasons?.length ? [h('h3', {}, 'Reasons'), h('ul', {}, r.reasons.map((x) => h('li', {}, h('code', {}, JSON.stringify(x)))))] : null,
        r.access ? [h('h3', {}, 'Document and field access'), h('pre', {}, JSON.stringify(r.access, null, 2))] : null);
    } catch (err) {
      showError(errors, 'form', err.message);
    }
  };
  return [
    h('h1', {}, 'Explain access'),
    h('form', { novalidate: true, onsubmit: submit },
      field('User', user, { key: 'user', errors }),
      h('datalist', { id: 'explain-users' }, users.map((u) => h('option', { value: u }))),
      field('Question', kind, {}),
      field('Action or privilege', action, { key: 'action', errors }),
      indicesField, spaceField, formError,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Explain'))),
    result,
  ];
}
