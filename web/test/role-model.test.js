import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  emptyForm, formToRole, roleToForm, entryFromForm, entryToForm, entryLabel,
  spaceOptions, selectSpaces, entryErrors, fieldOfServerError,
} from '../src/role-model.js';

const sampleRole = {
  name: 'web_analyst',
  description: 'Reads logs',
  metadata: { version: 1, _reserved: false },
  elasticsearch: {
    cluster: ['monitor'],
    run_as: ['bob'],
    indices: [{
      names: ['logs-*'], privileges: ['read'],
      query: '{"match":{"tenant":"a"}}',
      field_security: { grant: ['*'], except: ['secret'] },
    }],
    remote_indices: [{ clusters: ['c1'], names: ['r-*'], privileges: ['read'] }],
  },
  kibana: [
    { base: ['all'], feature: {}, spaces: ['marketing'] },
    { base: ['read'], feature: {}, spaces: ['sales'] },
    { base: [], feature: { dashboard: ['all'], discover: ['minimal_read', 'url_create'] }, spaces: ['engineering'] },
  ],
};

test('a role survives the round trip through the form', () => {
  const form = roleToForm(sampleRole);
  assert.equal(form.indices[0].dls, true);
  assert.equal(form.indices[0].fls, true);
  assert.deepEqual(form.indices[0].except, ['secret']);
  assert.equal(form.kibana[2].base, 'custom');
  assert.deepEqual(form.kibana[2].features.discover, { primary: 'read', customize: true, sub: ['url_create'] });
  const { name, body, errors } = formToRole(form);
  assert.deepEqual(errors, {});
  assert.equal(name, 'web_analyst');
  assert.equal(body.description, 'Reads logs');
  assert.deepEqual(body.metadata, { version: 1 }, 'system metadata (_*) is not sent back');
  assert.deepEqual(body.elasticsearch.indices, sampleRole.elasticsearch.indices);
  assert.deepEqual(body.elasticsearch.remote_indices, sampleRole.elasticsearch.remote_indices);
  assert.deepEqual(body.elasticsearch.run_as, ['bob']);
  assert.deepEqual(body.kibana, sampleRole.kibana);
});

test('features set to None are left out of a custom entry', () => {
  const entry = {
    spaces: ['engineering'], base: 'custom',
    features: { dashboard: { primary: 'all', customize: false, sub: [] }, discover: { primary: 'none', customize: false, sub: [] } },
  };
  assert.deepEqual(entryFromForm(entry), { base: [], feature: { dashboard: ['all'] }, spaces: ['engineering'] });
  assert.equal(entryLabel(entry), 'Custom');
  assert.equal(entryLabel(entryToForm({ base: ['read'], spaces: ['*'] })), 'Read');
  assert.deepEqual(entryErrors({ ...entry, features: { discover: { primary: 'none', customize: false, sub: [] } } }),
    { features: 'Grant at least one feature privilege, or choose All or Read.' });
  assert.deepEqual(entryErrors({ spaces: [], base: 'all', features: {} }), { spaces: 'Select at least one space.' });
});

test('client validation names the field', () => {
  const form = emptyForm();
  form.indices[0].names = ['logs-*'];
  form.indices[0].dls = true;
  form.indices[0].query = '{not json';
  const { errors } = formToRole(form);
  assert.equal(errors.name, 'Role name is required.');
  assert.equal(errors['indices.0.privileges'], 'Enter at least one privilege.');
  assert.equal(errors['indices.0.query'], 'The query must be a JSON object.');
  form.name = ' padded';
  assert.match(formToRole(form).errors.name, /leading or trailing/);
});

test('empty index rows are dropped, DLS queries are compacted', () => {
  const form = emptyForm();
  form.name = 'r';
  assert.deepEqual(formToRole(form).body.elasticsearch.indices, []);
  form.indices[0] = { ...form.indices[0], names: ['a'], privileges: ['read'], dls: true, query: '{\n "match_all": {}\n}' };
  assert.equal(formToRole(form).body.elasticsearch.indices[0].query, '{"match_all":{}}');
});

test('a space and All Spaces appear in one entry only', () => {
  const spaces = [{ id: 'default', name: 'Default' }, { id: 'sales', name: 'Sales' }];
  const entries = [{ spaces: ['*'] }, { spaces: ['sales'] }];
  const opts = spaceOptions(entries, spaces);
  assert.deepEqual(opts.map((o) => [o.id, o.disabled]), [['*', true], ['default', false], ['sales', true]]);
  // Editing the second entry frees its own spaces.
  assert.equal(spaceOptions(entries, spaces, 1).find((o) => o.id === 'sales').disabled, false);
  assert.deepEqual(selectSpaces(['default', '*']), ['*']);
  assert.deepEqual(selectSpaces(['default', 'sales', 'default']), ['default', 'sales']);
});

test('server messages are placed next to their field', () => {
  assert.equal(fieldOfServerError('[request body.elasticsearch.indices.1.privileges]: array size is [0], but cannot be smaller than [1]'), 'indices.1.privileges');
  assert.equal(fieldOfServerError('[request params.name]: value has length [0]'), 'name');
  assert.equal(fieldOfServerError('[request body.kibana.0.base.0]: unknown global privilege "x"'), 'kibana');
  assert.equal(fieldOfServerError('[request body.elasticsearch.remote_indices.0.clusters]: x'), 'remoteIndices.0.clusters');
  assert.equal(fieldOfServerError('Role cannot be updated due to validation errors: ["Feature [x] does not support privilege [all]."]'), 'kibana');
  assert.equal(fieldOfServerError('unknown cluster privilege [bogus]. a privilege must be either...'), 'cluster');
  assert.equal(fieldOfServerError('something else'), 'form');
});
