/**
 * Regression (issue 12, item 1): a sysadmin could reset the secadmin's password, sign in as them and change
 * the policy, or create a new secadmin. Through the API no one now grants the three roles or changes their
 * accounts; the host CLI does, and every such act is audited.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, loginAs, PASSWORD, startFixture, type Fixture } from './helpers.ts';

describe('三员分立: the sysadmin cannot take over or make a secadmin or auditor', () => {
  let f: Fixture;
  let sys: Client;
  before(async () => {
    f = await startFixture('sqlite');
    sys = await loginAs(f.url, 'sys');
  });
  after(async () => f?.close());

  it('refuses resetting the secadmin\'s password, so the sysadmin cannot sign in as them', async () => {
    const reset = await sys.req('PATCH', `/api/users/${f.users.secadmin}`, { password: 'Taken-Over-Pass-1' });
    assert.equal(reset.status, 403);
    assert.equal(reset.body.error.code, 'separation_of_duties');
    assert.equal((await new Client(f.url).login('sec', 'Taken-Over-Pass-1')).status, 401);
    assert.equal((await new Client(f.url).login('sec', PASSWORD)).status, 200, 'the real password still works');
  });

  it('refuses disabling, deleting or re-roling the auditor and the secadmin', async () => {
    for (const id of [f.users.auditor, f.users.secadmin]) {
      assert.equal((await sys.req('PATCH', `/api/users/${id}`, { disabled: true })).status, 403);
      assert.equal((await sys.req('DELETE', `/api/users/${id}`)).status, 403);
      assert.equal((await sys.req('PUT', `/api/users/${id}/roles`, { roles: [{ role: 'member', department_id: f.dept.A }] })).status, 403);
    }
  });

  it('refuses creating an account with secadmin or auditor, and granting them to an ordinary account', async () => {
    for (const role of ['secadmin', 'auditor', 'sysadmin']) {
      const made = await sys.req('POST', '/api/users', { username: `new-${role}`, password: PASSWORD, roles: [{ role }] });
      assert.equal(made.status, 403, role);
      assert.equal(made.body.error.code, 'separation_of_duties');
      const granted = await sys.req('PUT', `/api/users/${f.users.memberA}/roles`, { roles: [{ role }] });
      assert.equal(granted.status, 403, role);
    }
    assert.equal((await new Client(f.url).login('new-secadmin')).status, 401, 'no such account was created');
  });

  it('still lets the sysadmin manage ordinary accounts, and every refusal is in the audit trail', async () => {
    const made = await sys.req('POST', '/api/users', { username: 'clerk', password: PASSWORD, roles: [{ role: 'member', department_id: f.dept.A }] });
    assert.equal(made.status, 201);
    assert.equal((await sys.req('PATCH', `/api/users/${made.body.id}`, { password: 'Clerk-Reset-Pass-2' })).status, 200);
    assert.equal((await sys.req('PATCH', `/api/users/${made.body.id}`, { disabled: true })).status, 200);
    const rows = await f.yumen.store.db.selectFrom('audit_records').select(['action', 'status', 'error_code']).where('action', 'like', 'admin.user.%').execute();
    assert.ok(rows.some((r) => r.action === 'admin.user.update' && r.status === 403 && r.error_code === 'separation_of_duties'), JSON.stringify(rows));
    assert.ok(rows.some((r) => r.action === 'admin.user.create' && r.status === 201));
  });

  it('lets a secadmin change their own password', async () => {
    const sec = await loginAs(f.url, 'sec');
    assert.equal((await sec.req('POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'Sec-Own-Pass-3' })).status, 200);
    assert.equal((await new Client(f.url).login('sec', 'Sec-Own-Pass-3')).status, 200);
  });
});
