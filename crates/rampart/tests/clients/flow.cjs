// A realistic security flow driven by the official JavaScript client
// (@elastic/elasticsearch 9.4.x).
//
// Run by crates/rampart/tests/clients.rs with RAMPART_URL and RAMPART_PASSWORD (elastic's)
// set and the client reachable through NODE_PATH. Any failed check throws, so the exit code
// is the verdict.
'use strict'

const assert = require('node:assert/strict')
const { Client, errors } = require('@elastic/elasticsearch')
const clientVersion = require('@elastic/elasticsearch/package.json').version

const URL = process.env.RAMPART_URL
const ADMIN_PASSWORD = process.env.RAMPART_PASSWORD
const PREFIX = 'js'
const APP = 'jsclientapp' // ES wants an application-name prefix of 3+ characters
const ROLE = `${PREFIX}_analyst`
const USER = `${PREFIX}_bob`
const USER_PASSWORD = 'bob-password-1'
const RUNAS_ROLE = `${PREFIX}_impersonator`
const RUNAS_ADMIN = `${PREFIX}_support`
const RUNAS_PASSWORD = 'support-password-1'

function ok (what) {
  console.log(`ok - ${what}`)
}

function client (auth) {
  return new Client({ node: URL, auth, requestTimeout: 30000, maxRetries: 0 })
}

async function expectStatus (promise, status, what) {
  try {
    const body = await promise
    assert.fail(`${what}: expected HTTP ${status}, got a success: ${JSON.stringify(body)}`)
  } catch (e) {
    if (!(e instanceof errors.ResponseError)) throw e
    assert.equal(e.meta.statusCode, status, `${what}: ${JSON.stringify(e.meta.body)}`)
  }
  ok(what)
}

async function main () {
  console.log(`@elastic/elasticsearch ${clientVersion}`)
  assert.match(clientVersion, /^9\.4\./)
  const admin = client({ username: 'elastic', password: ADMIN_PASSWORD })

  const who = await admin.security.authenticate()
  assert.equal(who.username, 'elastic')
  ok('elastic authenticates')

  const put = await admin.security.putPrivileges({
    privileges: { [APP]: { read: { actions: ['data:read/*'] }, write: { actions: ['data:write/*'] } } }
  })
  assert.equal(put[APP].read.created, true)
  ok('application privilege created')

  // A role with DLS (query) and FLS (field_security) on logs-*, plus an application privilege.
  const role = await admin.security.putRole({
    name: ROLE,
    cluster: ['monitor', 'manage_own_api_key'],
    indices: [{
      names: ['logs-*'],
      privileges: ['read', 'view_index_metadata'],
      query: { term: { team: 'blue' } },
      field_security: { grant: ['@timestamp', 'message', 'user.*'], except: ['user.password'] }
    }],
    applications: [{ application: APP, privileges: ['read'], resources: ['*'] }],
    metadata: { owner: 'clients-test' }
  })
  assert.equal(role.role.created, true)
  ok('role with DLS and FLS created')
  const got = (await admin.security.getRole({ name: ROLE }))[ROLE]
  assert.deepEqual(got.indices[0].field_security, { grant: ['@timestamp', 'message', 'user.*'], except: ['user.password'] })
  // ES returns a role query as a JSON string, whatever form it was sent in.
  assert.deepEqual(JSON.parse(got.indices[0].query), { term: { team: 'blue' } })
  ok('role keeps its query and field_security')

  const user = await admin.security.putUser({ username: USER, password: USER_PASSWORD, roles: [ROLE], full_name: 'Bob' })
  assert.equal(user.created, true)
  ok('user created')

  const bob = client({ username: USER, password: USER_PASSWORD })
  const me = await bob.security.authenticate()
  assert.equal(me.username, USER)
  assert.deepEqual(me.roles, [ROLE])
  assert.equal(me.authentication_realm.type, 'native')
  ok('user authenticates with his role')
  await expectStatus(client({ username: USER, password: 'wrong-password' }).security.authenticate(), 401,
    'a wrong password is rejected with 401')

  const key = await bob.security.createApiKey({ name: `${PREFIX}-key`, expiration: '1d' })
  assert.ok(key.id && key.encoded)
  ok('user creates an API key')
  const keyed = client({ apiKey: key.encoded })
  const asKey = await keyed.security.authenticate()
  assert.equal(asKey.username, USER)
  assert.equal(asKey.authentication_type, 'api_key')
  assert.equal(asKey.api_key.id, key.id)
  ok('the API key authenticates as the user')

  const hp = await bob.security.hasPrivileges({
    cluster: ['monitor', 'manage_security'],
    index: [{ names: ['logs-2024'], privileges: ['read', 'write'] }],
    application: [{ application: APP, privileges: ['read', 'write'], resources: ['doc/1'] }]
  })
  assert.equal(hp.username, USER)
  assert.equal(hp.has_all_requested, false)
  assert.deepEqual(hp.cluster, { monitor: true, manage_security: false })
  assert.deepEqual(hp.index, { 'logs-2024': { read: true, write: false } })
  assert.deepEqual(hp.application, { [APP]: { 'doc/1': { read: true, write: false } } })
  ok('has_privileges: cluster, index and application')

  // run_as: a support user whose role may impersonate bob (and nobody else).
  await admin.security.putRole({ name: RUNAS_ROLE, cluster: ['monitor'], run_as: [USER] })
  await admin.security.putUser({ username: RUNAS_ADMIN, password: RUNAS_PASSWORD, roles: [RUNAS_ROLE] })
  const support = client({ username: RUNAS_ADMIN, password: RUNAS_PASSWORD })
  const asBob = await support.security.authenticate({}, { headers: { 'es-security-runas-user': USER } })
  assert.equal(asBob.username, USER)
  assert.equal(asBob.authentication_realm.name, 'default_native')
  assert.equal(asBob.lookup_realm.type, 'native')
  ok('run_as: the effective user is bob')
  await expectStatus(support.security.authenticate({}, { headers: { 'es-security-runas-user': 'elastic' } }), 403,
    'run_as elastic is refused with 403')

  const privs = await bob.security.getUserPrivileges()
  assert.deepEqual([...privs.cluster].sort(), ['manage_own_api_key', 'monitor'])
  const index = privs.indices[0]
  assert.deepEqual(index.names, ['logs-*'])
  assert.deepEqual(index.field_security, [{ grant: ['@timestamp', 'message', 'user.*'], except: ['user.password'] }])
  assert.equal(index.query.length, 1)
  assert.deepEqual(JSON.parse(index.query[0]), { term: { team: 'blue' } })
  assert.deepEqual(privs.applications, [{ application: APP, privileges: ['read'], resources: ['*'] }])
  ok('user privileges: cluster, indices (DLS, FLS) and applications')

  // manage_own_api_key covers invalidation only when the request says owner=true (as in ES).
  await expectStatus(bob.security.invalidateApiKey({ ids: [key.id] }), 403,
    'invalidation without owner=true is refused with 403')
  const inv = await bob.security.invalidateApiKey({ ids: [key.id], owner: true })
  assert.deepEqual(inv.invalidated_api_keys, [key.id])
  assert.equal(inv.error_count, 0)
  ok('API key invalidated')
  await expectStatus(keyed.security.authenticate(), 401, 'the invalidated key is rejected with 401')

  console.log('javascript flow: all checks passed')
}

main().catch((e) => {
  console.error(`FAILED: ${e.stack || e}`)
  process.exit(1)
})
