// The role form's Kibana section: the per-space privilege entries, the "Add Kibana privilege"
// panel (spaces, base privilege, customize by feature), and the privilege summary.

import { h, field, showError, clearErrors, uid } from './dom.js';
import { kibana } from './api.js';
import { ALL_SPACES, entryLabel, entryFromForm, spaceOptions, selectSpaces, entryErrors } from './role-model.js';

const spaceName = (spaces, id) => (id === ALL_SPACES ? 'All Spaces' : spaces.find((s) => s.id === id)?.name || id);

function modal(titleText, ...content) {
  const titleId = uid('dlg');
  const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'wide' }, h('h2', { id: titleId }, titleText), ...content);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** One feature's row in "Customize by feature": All / Read / None, and sub-feature privileges. */
function featureRow(feature, current, allSpaces) {
  const state = { primary: current?.primary || 'none', customize: Boolean(current?.customize), sub: [...(current?.sub || [])] };
  const group = uid('feat');
  const radios = ['all', 'read', 'none'].map((p) => {
    const def = p === 'none' ? null : feature.privileges?.[p];
    const unavailable = p !== 'none' && (!def || def.disabled || (def.requireAllSpaces && !allSpaces));
    const id = uid('r');
    const input = h('input', {
      type: 'radio', name: group, id, value: p, checked: state.primary === p, disabled: unavailable,
      onchange: () => { state.primary = p; },
    });
    return h('span', { class: 'radio' }, input, h('label', { for: id }, p === 'all' ? 'All' : p === 'read' ? 'Read' : 'None'));
  });
  const subIds = (feature.subFeatures || []).flatMap((s) => s.privilegeGroups.flatMap((g) => g.privileges.map((p) => p.id)));
  let subBox = null;
  if (subIds.length) {
    const boxes = (feature.subFeatures || []).map((s) => h('fieldset', { class: 'sub' }, h('legend', {}, s.name),
      s.privilegeGroups.flatMap((g) => g.privileges.map((p) => {
        const id = uid('s');
        return h('span', { class: 'check' }, h('input', {
          type: 'checkbox', id, checked: state.sub.includes(p.id),
          disabled: Boolean(p.disabled || (s.requireAllSpaces && !allSpaces)),
          onchange: (e) => {
            state.sub = state.sub.filter((x) => x !== p.id);
            if (e.target.checked) state.sub.push(p.id);
          },
        }), h('label', { for: id }, p.name));
      }))));
    const inner = h('div', { class: 'nested' }, boxes);
    inner.hidden = !state.customize;
    const id = uid('cz');
    subBox = h('div', {}, h('span', { class: 'check' }, h('input', {
      type: 'checkbox', id, checked: state.customize,
      onchange: (e) => { state.customize = e.target.checked; inner.hidden = !state.customize; },
    }), h('label', { for: id }, `Customize sub-feature privileges of ${feature.name}`)), inner);
  }
  const row = h('tr', {},
    h('th', { scope: 'row' }, feature.name),
    h('td', {}, h('div', { role: 'radiogroup', 'aria-label': feature.name, class: 'radios' }, radios), subBox));
  row.read = () => ({ ...state, sub: state.customize ? state.sub : [] });
  return row;
}

/** The "Add Kibana privilege" panel for entry `index` (-1: a new entry). */
function openPanel({ form, spaces, features, index, onDone }) {
  const existing = index >= 0 ? form.kibana[index] : null;
  const errors = new Map();
  let selected = existing ? [...existing.spaces] : [];
  const spaceSelect = h('select', { multiple: true, size: Math.min(8, spaces.length + 1) });
  const drawSpaces = () => {
    const options = spaceOptions(form.kibana, spaces, index);
    spaceSelect.replaceChildren(...options.map((o) => h('option', {
      value: o.id, selected: selected.includes(o.id),
      // After All Spaces is picked, individual spaces wait until it is cleared.
      disabled: o.disabled || (selected.includes(ALL_SPACES) && o.id !== ALL_SPACES),
    }, o.name)));
  };
  drawSpaces();
  const privilege = h('select', {},
    h('option', { value: 'all' }, 'All'), h('option', { value: 'read' }, 'Read'), h('option', { value: 'custom' }, 'Custom'));
  privilege.value = existing ? existing.base : 'custom';
  const grantable = features.filter((f) => f.privileges);
  let rows = [];
  const tableBox = h('div', { class: 'feature-table' });
  const drawFeatures = () => {
    const current = rows.length ? Object.fromEntries(rows.map((r) => [r.featureId, r.read()])) : existing?.features || {};
    const allSpaces = selected.includes(ALL_SPACES);
    rows = grantable.map((f) => {
      const r = featureRow(f, current[f.id], allSpaces);
      r.featureId = f.id;
      return r;
    });
    tableBox.replaceChildren(h('table', { class: 'list' },
      h('caption', {}, 'Customize by feature'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Feature'), h('th', { scope: 'col' }, 'Privilege'))),
      h('tbody', {}, rows)));
    tableBox.hidden = privilege.value !== 'custom';
  };
  drawFeatures();
  spaceSelect.addEventListener('change', () => {
    const wasAll = selected.includes(ALL_SPACES);
    selected = selectSpaces([...spaceSelect.selectedOptions].map((o) => o.value));
    drawSpaces();
    if (wasAll !== selected.includes(ALL_SPACES)) drawFeatures();
  });
  privilege.addEventListener('change', () => { tableBox.hidden = privilege.value !== 'custom'; });
  const featuresError = h('p', { class: 'error', role: 'alert', hidden: true });
  errors.set('features', { error: featuresError, control: tableBox });
  const dialog = modal(existing ? 'Edit Kibana privilege' : 'Add Kibana privilege',
    field('Spaces', spaceSelect, { key: 'spaces', errors, help: 'Choose * All Spaces, or one or more individual spaces (Ctrl+click or Shift+arrows to pick several).' }),
    field('Privilege', privilege, { errors }),
    tableBox, featuresError,
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
      h('button', {
        type: 'button', class: 'primary',
        onclick: () => {
          clearErrors(errors);
          const entry = {
            spaces: selected, base: privilege.value,
            features: privilege.value === 'custom' ? Object.fromEntries(rows.map((r) => [r.featureId, r.read()])) : {},
          };
          const found = entryErrors(entry);
          if (Object.keys(found).length) {
            for (const [k, v] of Object.entries(found)) showError(errors, k, v);
            return;
          }
          if (existing) form.kibana[index] = entry; else form.kibana.push(entry);
          dialog.close();
          onDone();
        },
      }, existing ? 'Update Kibana privilege' : 'Add Kibana privilege')));
  spaceSelect.focus();
}

async function openSummary(form, spaces) {
  const body = h('div', {}, h('p', { role: 'status' }, 'Loading…'));
  const dialog = modal('Privilege summary', body, h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Close')));
  try {
    const columns = await kibana.post('/internal/rampart/privilege_summary', { kibana: form.kibana.map(entryFromForm) });
    if (!columns.length) {
      body.replaceChildren(h('p', {}, 'This role grants no Kibana privileges.'));
      return;
    }
    const heads = columns.map((c) => h('th', { scope: 'col' }, c.spaces.map((s) => spaceName(spaces, s)).join(', ')));
    const featureRows = columns[0].features.map((f, i) => h('tr', {},
      h('th', { scope: 'row' }, f.name),
      columns.map((c) => {
        const cell = c.features[i];
        return h('td', {}, cell.privilege, cell.has_customized_sub_features ? h('span', { class: 'badge', title: 'Additional privileges granted. Expand this row for more information.' }, '+ sub-features') : null);
      })));
    body.replaceChildren(h('table', { class: 'list summary' },
      h('caption', {}, 'Privileges per space and feature'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Feature'), heads)),
      h('tbody', {}, featureRows)));
  } catch (err) {
    body.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message));
  }
}

export function kibanaSection({ form, spaces, features, errors, readOnly }) {
  const list = h('div');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const addButton = h('button', { type: 'button' }, 'Add Kibana privilege');
  errors.set('kibana', { error, control: addButton });
  const draw = () => {
    const free = spaceOptions(form.kibana, spaces).some((o) => !o.disabled);
    addButton.disabled = readOnly || !free;
    if (!form.kibana.length) {
      list.replaceChildren(h('p', { class: 'muted' }, 'This role grants no access to Kibana.'));
      return;
    }
    list.replaceChildren(h('table', { class: 'list' },
      h('caption', {}, 'Kibana privileges'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Spaces'), h('th', { scope: 'col' }, 'Privilege'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, form.kibana.map((e, i) => {
        const where = e.spaces.map((s) => spaceName(spaces, s)).join(', ');
        return h('tr', {},
          h('td', {}, where),
          h('td', {}, entryLabel(e)),
          h('td', {}, readOnly ? null : [
            h('button', { type: 'button', class: 'small', 'aria-label': `Edit Kibana privilege for ${where}`, onclick: () => openPanel({ form, spaces, features, index: i, onDone: draw }) }, 'Edit'),
            h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove Kibana privilege for ${where}`, onclick: () => { form.kibana.splice(i, 1); draw(); } }, 'Remove'),
          ]));
      }))));
  };
  addButton.addEventListener('click', () => openPanel({ form, spaces, features, index: -1, onDone: draw }));
  draw();
  return h('section', { 'aria-labelledby': 'sec-kibana', id: 'kibana-privileges' }, h('h2', { id: 'sec-kibana' }, 'Kibana'),
    list, error,
    h('div', { class: 'actions left' },
      readOnly ? null : addButton,
      h('button', { type: 'button', onclick: () => openSummary(form, spaces) }, 'View privilege summary')));
}
