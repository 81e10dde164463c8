// Create / edit role. Field labels follow Kibana's role editor so people (and the browser
// tests) find them by name. Reserved roles, and users without manage_security, get a
// read-only view.

import { h, field, tokenInput, checkbox, showError, clearErrors } from './dom.js';
import { kibana, es, enc } from './api.js';
import { session, navigate } from './app.js';
import { emptyForm, emptyIndex, emptyRemoteIndex, roleToForm, formToRole, fieldOfServerError } from './role-model.js';
import { kibanaSection } from './kibana-privileges.js';

export async function rolePage(name) {
  const [role, builtin, spaces, features] = await Promise.all([
    name === undefined ? null : kibana.get(`/api/security/role/${enc(name)}`),
    es('GET', '/_security/privilege/_builtin').catch(() => ({ cluster: [], index: [] })),
    kibana.get('/api/spaces/space').catch(() => []),
    kibana.get('/api/features').catch(() => []),
  ]);
  const creating = !role;
  const form = role ? roleToForm(role) : emptyForm();
  const reserved = Boolean(role?.metadata?._reserved);
  const readOnly = reserved || !session.canManage;
  const errors = new Map();
  const clusterNames = builtin.cluster || [];
  const indexNames = builtin.index || [];

  const nameInput = h('input', { type: 'text', value: form.name, readonly: !creating || readOnly, required: true, autocomplete: 'off' });
  const description = h('textarea', { rows: 2, readonly: readOnly });
  description.value = form.description;
  const cluster = tokenInput({ values: form.cluster, suggestions: clusterNames, readOnly });
  const runAs = tokenInput({ values: form.runAs, readOnly });

  // Index privilege rows: controls are read back into `form` by `collect`.
  const indexRows = [];
  const indexBox = h('div', { class: 'rows' });
  const drawIndices = () => {
    indexRows.length = 0;
    indexBox.replaceChildren(...form.indices.map((row, n) => indexRow(row, n)));
  };
  const indexRow = (row, n) => {
    const names = tokenInput({ values: row.names, readOnly });
    const privileges = tokenInput({ values: row.privileges, suggestions: indexNames, readOnly });
    const query = h('textarea', { rows: 5, class: 'code', spellcheck: 'false', readonly: readOnly });
    query.value = row.query;
    const grant = tokenInput({ values: row.grant, readOnly });
    const except = tokenInput({ values: row.except, readOnly });
    const queryField = field('Granted documents query', query, { key: `indices.${n}.query`, errors, help: 'An Elasticsearch query (JSON) matching the documents this role may read.' });
    const flsFields = h('div', { class: 'nested' },
      field('Granted fields', grant, { key: `indices.${n}.grant`, errors }),
      field('Denied fields', except, { key: `indices.${n}.except`, errors }));
    queryField.hidden = !row.dls;
    flsFields.hidden = !row.fls;
    const state = { dls: row.dls, fls: row.fls, allowRestricted: row.allowRestricted };
    const disabled = readOnly || undefined;
    indexRows.push(() => ({
      names: names.get(), privileges: privileges.get(), dls: state.dls, query: query.value,
      fls: state.fls, grant: grant.get(), except: except.get(), allowRestricted: state.allowRestricted,
    }));
    return h('fieldset', { class: 'row' },
      h('legend', {}, `Index privilege ${n + 1}`),
      h('div', { class: 'grid2' },
        field('Indices', names, { key: `indices.${n}.names`, errors }),
        field('Privileges', privileges, { key: `indices.${n}.privileges`, errors })),
      checkbox('Grant read privileges to specific documents', row.dls, (v) => { state.dls = v; queryField.hidden = !v; }, { disabled }),
      queryField,
      checkbox('Grant access to specific fields', row.fls, (v) => { state.fls = v; flsFields.hidden = !v; }, { disabled }),
      flsFields,
      checkbox('Allow restricted indices', row.allowRestricted, (v) => { state.allowRestricted = v; }, { disabled }),
      readOnly ? null : h('button', {
        type: 'button', class: 'small', onclick: () => { collect(); form.indices.splice(n, 1); drawIndices(); },
      }, `Remove index privilege ${n + 1}`));
  };

  const remoteRows = [];
  const remoteBox = h('div', { class: 'rows' });
  const drawRemote = () => {
    remoteRows.length = 0;
    remoteBox.replaceChildren(...form.remoteIndices.map((row, n) => {
      const clusters = tokenInput({ values: row.clusters, readOnly });
      const names = tokenInput({ values: row.names, readOnly });
      const privileges = tokenInput({ values: row.privileges, suggestions: indexNames, readOnly });
      remoteRows.push(() => ({ clusters: clusters.get(), names: names.get(), privileges: privileges.get() }));
      return h('fieldset', { class: 'row' }, h('legend', {}, `Remote index privilege ${n + 1}`),
        h('div', { class: 'grid3' },
          field('Remote clusters', clusters, { key: `remoteIndices.${n}.clusters`, errors }),
          field('Remote indices', names, { key: `remoteIndices.${n}.names`, errors }),
          field('Privileges', privileges, { key: `remoteIndices.${n}.privileges`, errors })),
        readOnly ? null : h('button', {
          type: 'button', class: 'small', onclick: () => { collect(); form.remoteIndices.splice(n, 1); drawRemote(); },
        }, `Remove remote index privilege ${n + 1}`));
    }));
  };

  const collect = () => {
    form.name = nameInput.value;
    form.description = description.value;
    form.cluster = cluster.get();
    form.runAs = runAs.get();
    form.indices = indexRows.map((read) => read());
    form.remoteIndices = remoteRows.map((read) => read());
  };
  drawIndices();
  drawRemote();

  const formError = h('p', { class: 'error', role: 'alert', hidden: true });
  errors.set('form', { error: formError, control: formError });
  const status = h('p', { role: 'status', class: 'status', 'aria-live': 'polite' });

  const submit = async (event) => {
    event.preventDefault();
    collect();
    clearErrors(errors);
    const { name: roleName, body, errors: found } = formToRole(form);
    const keys = Object.keys(found);
    if (keys.length) {
      for (const k of keys) if (!showError(errors, k, found[k])) showError(errors, 'form', found[k]);
      errors.get(keys[0])?.control.focus();
      return;
    }
    status.textContent = 'Saving…';
    try {
      await kibana.put(`/api/security/role/${enc(roleName)}${creating ? '?createOnly=true' : ''}`, body);
      navigate(`/app/management/roles?saved=${enc(roleName)}`);
    } catch (err) {
      status.textContent = '';
      const key = fieldOfServerError(err.message);
      const target = errors.has(key) ? key : 'form';
      showError(errors, target, err.message);
      errors.get(target)?.control.focus?.();
    }
  };

  const heading = creating ? 'Create role' : readOnly ? `Role ${form.name}` : `Edit role ${form.name}`;
  return h('form', { class: 'role-form', novalidate: true, onsubmit: submit },
    h('h1', {}, heading),
    reserved ? h('p', { class: 'callout' }, 'Reserved roles are built in and cannot be edited or deleted.') : null,
    !reserved && readOnly ? h('p', { class: 'callout' }, 'You can view this role; editing it requires the manage_security cluster privilege.') : null,
    h('section', { 'aria-labelledby': 'sec-role' }, h('h2', { id: 'sec-role', class: 'visually-hidden' }, 'Role'),
      field('Role name', nameInput, { key: 'name', errors }),
      field('Description', description, { key: 'description', errors })),
    h('section', { 'aria-labelledby': 'sec-es' }, h('h2', { id: 'sec-es' }, 'Elasticsearch'),
      field('Cluster privileges', cluster, { key: 'cluster', errors, help: 'Type a privilege and press Enter; known privileges are suggested.' }),
      field('Run as privileges', runAs, { key: 'runAs', errors })),
    h('section', { 'aria-labelledby': 'sec-index', id: 'index-privileges' }, h('h2', { id: 'sec-index' }, 'Index privileges'),
      indexBox,
      readOnly ? null : h('button', { type: 'button', onclick: () => { collect(); form.indices.push(emptyIndex()); drawIndices(); } }, 'Add index privilege')),
    h('section', { 'aria-labelledby': 'sec-remote', id: 'remote-index-privileges' }, h('h2', { id: 'sec-remote' }, 'Remote index privileges'),
      remoteBox,
      readOnly ? null : h('button', { type: 'button', onclick: () => { collect(); form.remoteIndices.push(emptyRemoteIndex()); drawRemote(); } }, 'Add remote index privilege')),
    kibanaSection({ form, spaces, features, errors, readOnly }),
    formError,
    status,
    h('div', { class: 'actions' },
      readOnly ? null : h('button', { type: 'submit', class: 'primary' }, creating ? 'Create role' : 'Update role'),
      h('a', { href: '/app/management/roles', class: 'button' }, readOnly ? 'Back to roles' : 'Cancel')));
}
