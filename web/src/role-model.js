// Form state <-> Kibana role JSON (PUT /api/security/role/{name}), client-side validation and
// mapping of server validation messages to the field they concern. Pure: no DOM, no fetch, so
// `node --test` covers it.

export const ALL_SPACES = '*';

const splitFeature = (privileges) => {
  const list = privileges || [];
  const primaryOf = (p) => (p === 'all' || p === 'minimal_all' ? 'all'
    : p === 'read' || p === 'minimal_read' ? 'read' : null);
  const primary = list.map(primaryOf).find(Boolean) || 'none';
  const customize = list.some((p) => p.startsWith('minimal_'));
  const sub = list.filter((p) => !primaryOf(p));
  return { primary, customize: customize || (sub.length > 0 && primary === 'none'), sub };
};

export function emptyIndex() {
  return { names: [], privileges: [], dls: false, query: '', fls: false, grant: ['*'], except: [], allowRestricted: false };
}

export function emptyRemoteIndex() {
  return { clusters: [], names: [], privileges: [] };
}

export function emptyForm() {
  return { name: '', description: '', cluster: [], runAs: [], indices: [emptyIndex()], remoteIndices: [], kibana: [], metadata: {} };
}

/** A Kibana role (GET shape) as form state. */
export function roleToForm(role) {
  const es = role.elasticsearch || {};
  const indices = (es.indices || []).map((i) => {
    const fs = i.field_security;
    const query = i.query === undefined ? '' : typeof i.query === 'string' ? prettyQuery(i.query) : JSON.stringify(i.query, null, 2);
    return {
      names: [...(i.names || [])],
      privileges: [...(i.privileges || [])],
      dls: query !== '',
      query,
      fls: Boolean(fs),
      grant: fs ? [...(fs.grant || [])] : ['*'],
      except: fs ? [...(fs.except || [])] : [],
      allowRestricted: Boolean(i.allow_restricted_indices),
    };
  });
  return {
    name: role.name || '',
    description: role.description || '',
    cluster: [...(es.cluster || [])],
    runAs: [...(es.run_as || [])],
    indices: indices.length ? indices : [emptyIndex()],
    remoteIndices: (es.remote_indices || []).map((r) => ({ clusters: [...(r.clusters || [])], names: [...(r.names || [])], privileges: [...(r.privileges || [])] })),
    kibana: (role.kibana || []).filter((k) => !(k._reserved && k._reserved.length)).map(entryToForm),
    metadata: { ...(role.metadata || {}) },
  };
}

function prettyQuery(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function entryToForm(entry) {
  const base = (entry.base || [])[0];
  const features = {};
  for (const [id, privileges] of Object.entries(entry.feature || {})) features[id] = splitFeature(privileges);
  return { spaces: [...(entry.spaces || [ALL_SPACES])], base: base === 'all' || base === 'read' ? base : 'custom', features };
}

export function entryFromForm(entry) {
  if (entry.base !== 'custom') return { base: [entry.base], feature: {}, spaces: [...entry.spaces] };
  const feature = {};
  for (const [id, f] of Object.entries(entry.features)) {
    if (f.customize) {
      const list = f.primary === 'none' ? [...f.sub] : [`minimal_${f.primary}`, ...f.sub];
      if (list.length) feature[id] = list;
    } else if (f.primary !== 'none') {
      feature[id] = [f.primary];
    }
  }
  return { base: [], feature, spaces: [...entry.spaces] };
}

/** The space table's label of an entry. */
export function entryLabel(entry) {
  return entry.base === 'all' ? 'All' : entry.base === 'read' ? 'Read' : 'Custom';
}

const isObjectJson = (text) => {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
};

const rowIsEmpty = (i) => !i.names.length && !i.privileges.length && !i.dls && !i.fls;

/**
 * Form state -> `{ name, body, errors }`: the PUT body and client-side errors keyed by field
 * (`name`, `indices.0.names`, `indices.0.query`, `remoteIndices.0.clusters`, `kibana`, ...).
 */
export function formToRole(form) {
  const errors = {};
  const name = form.name.trim();
  if (!name) errors.name = 'Role name is required.';
  else if (name !== form.name || !/^[\x20-\x7e]+$/.test(name)) errors.name = 'Role name must contain only printable ASCII characters, without leading or trailing spaces.';
  const indices = [];
  form.indices.forEach((i, n) => {
    if (rowIsEmpty(i)) return;
    if (!i.names.length) errors[`indices.${n}.names`] = 'Enter at least one index pattern.';
    if (!i.privileges.length) errors[`indices.${n}.privileges`] = 'Enter at least one privilege.';
    const out = { names: [...i.names], privileges: [...i.privileges] };
    if (i.fls) out.field_security = { grant: [...i.grant], except: [...i.except] };
    if (i.dls) {
      if (!i.query.trim()) errors[`indices.${n}.query`] = 'Enter a query, or clear "Grant read privileges to specific documents".';
      else if (!isObjectJson(i.query)) errors[`indices.${n}.query`] = 'The query must be a JSON object.';
      else out.query = JSON.stringify(JSON.parse(i.query));
    }
    if (i.allowRestricted) out.allow_restricted_indices = true;
    indices.push(out);
  });
  const remoteIndices = [];
  form.remoteIndices.forEach((r, n) => {
    if (!r.clusters.length && !r.names.length && !r.privileges.length) return;
    if (!r.clusters.length) errors[`remoteIndices.${n}.clusters`] = 'Enter at least one remote cluster.';
    if (!r.names.length) errors[`remoteIndices.${n}.names`] = 'Enter at least one remote index.';
    if (!r.privileges.length) errors[`remoteIndices.${n}.privileges`] = 'Enter at least one privilege.';
    remoteIndices.push({ clusters: [...r.clusters], names: [...r.names], privileges: [...r.privileges] });
  });
  const elasticsearch = { cluster: [...form.cluster], indices, run_as: [...form.runAs] };
  if (remoteIndices.length) elasticsearch.remote_indices = remoteIndices;
  const body = { elasticsearch, kibana: form.kibana.map(entryFromForm) };
  if (form.description.trim()) body.description = form.description;
  const metadata = Object.fromEntries(Object.entries(form.metadata || {}).filter(([k]) => !k.startsWith('_')));
  body.metadata = metadata;
  return { name, body, errors };
}

/**
 * Spaces offered when editing entry `editing` (-1 for a new one): a space (or All Spaces)
 * may appear in one entry only.
 */
export function spaceOptions(entries, spaces, editing = -1) {
  const used = new Set(entries.flatMap((e, i) => (i === editing ? [] : e.spaces)));
  return [{ id: ALL_SPACES, name: '* All Spaces' }, ...spaces.map((s) => ({ id: s.id, name: s.name }))]
    .map((o) => ({ ...o, disabled: used.has(o.id) }));
}

/** The selection after the user picks `picked`: All Spaces excludes individual spaces. */
export function selectSpaces(picked) {
  return picked.includes(ALL_SPACES) ? [ALL_SPACES] : [...new Set(picked)];
}

/** Client checks of one Kibana entry before it joins the role. */
export function entryErrors(entry) {
  const errors = {};
  if (!entry.spaces.length) errors.spaces = 'Select at least one space.';
  if (entry.base === 'custom' && !Object.keys(entryFromForm(entry).feature).length) {
    errors.features = 'Grant at least one feature privilege, or choose All or Read.';
  }
  return errors;
}

const ES_FIELD = {
  names: 'names', privileges: 'privileges', query: 'query', field_security: 'query', clusters: 'clusters',
};

/**
 * The form field a server message concerns, or `form` when it names none. Kibana's schema
 * errors read `[request body.elasticsearch.indices.0.names]: …` or `[request params.name]: …`;
 * Elasticsearch's name the privilege, the query or the role name in prose.
 */
export function fieldOfServerError(message) {
  const m = /^\[request (body|params)\.([^\]]+)\]/.exec(message || '');
  if (m) {
    const path = m[2].split('.');
    if (m[1] === 'params' || path[0] === 'name') return 'name';
    if (path[0] === 'description') return 'description';
    if (path[0] === 'kibana') return 'kibana';
    if (path[0] === 'elasticsearch') {
      const [, section, row, key] = path;
      if (section === 'cluster') return 'cluster';
      if (section === 'run_as') return 'runAs';
      if ((section === 'indices' || section === 'remote_indices') && row !== undefined) {
        const list = section === 'indices' ? 'indices' : 'remoteIndices';
        return key ? `${list}.${row}.${ES_FIELD[key] || key}` : `${list}.${row}.names`;
      }
    }
    return 'form';
  }
  const text = message || '';
  if (/Role cannot be updated due to validation errors|Feature \[|privilege is applied to the following spaces/.test(text)) return 'kibana';
  if (/unknown cluster privilege/.test(text)) return 'cluster';
  const index = /unknown index privilege|index privilege/.exec(text) ? 'privileges' : /query/.test(text) ? 'query' : null;
  if (index) return `indices.0.${index}`;
  if (/role name|Role names/i.test(text)) return 'name';
  return 'form';
}
