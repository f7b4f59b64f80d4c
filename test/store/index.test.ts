/** Choosing and describing a database from its URL. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describeDatabaseUrl, openDatabase, parseDatabaseUrl } from '../../src/store';

describe('database URL', function () {
  it('selects SQLite for sqlite: URLs and plain paths', function () {
    assert.deepEqual(parseDatabaseUrl('sqlite:./data/escalation-desk.db'), {
      kind: 'sqlite',
      filename: resolve('data/escalation-desk.db'),
    });
    assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { kind: 'sqlite', filename: ':memory:' });
    assert.deepEqual(parseDatabaseUrl('/var/lib/desk/desk.db'), { kind: 'sqlite', filename: '/var/lib/desk/desk.db' });
    assert.equal(parseDatabaseUrl('desk.db').kind, 'sqlite');
    assert.equal(parseDatabaseUrl('C:\\data\\desk.db').kind, 'sqlite', 'a drive letter is not a scheme');
  });

  it('selects PostgreSQL for postgres:// and postgresql:// URLs', function () {
    assert.equal(parseDatabaseUrl('postgres://desk:secret@db.example:5432/desk').kind, 'postgres');
    assert.equal(parseDatabaseUrl('postgresql://desk@db.example/desk?sslmode=require').kind, 'postgres');
    assert.equal(parseDatabaseUrl('postgres:///desk?host=/var/run/postgresql').kind, 'postgres');
  });

  it('describes a URL without its password', function () {
    const url = 'postgres://desk%40corp:s3cr%3At@db.example:6432/desk?sslmode=require&options=-c%20search_path%3Dtenant_a';
    const description = describeDatabaseUrl(url);
    assert.equal(description, 'postgres://desk@corp@db.example:6432/desk (schema tenant_a)');
    assert.ok(!description.includes('s3cr'));
    assert.equal(describeDatabaseUrl('sqlite::memory:'), 'sqlite::memory:');
  });

  const malformed: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['sqlite:', /names no file/],
    ['sqlite:///tmp/desk.db', /not sqlite:\/\//],
    ['mysql://root@db/desk', /scheme "mysql:" is not supported/],
    ['postgres://desk:pw@db.example:99999/desk', /not a valid PostgreSQL URL/],
    ['postgres:desk', /not a valid PostgreSQL URL/],
    ['postgres://desk:%E0%A4%A@db.example/desk', /invalid percent-escape in its password/],
    ['postgres:///desk', /names no PostgreSQL host/],
    ['postgres://db.example/a/b', /single database name/],
  ];
  for (const [url, message] of malformed) {
    it(`refuses ${JSON.stringify(url)} with a one-line message that does not repeat it`, function () {
      assert.throws(
        () => parseDatabaseUrl(url),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, message);
          assert.ok(!error.message.includes('\n'));
          if (url.includes(':pw@')) assert.ok(!error.message.includes('pw@'));
          return true;
        },
      );
    });
  }

  it('refuses a pool size that is not a positive integer', async function () {
    await assert.rejects(openDatabase({ url: 'sqlite::memory:', poolSize: 0 }), /pool size/);
  });

  it('names the database, not the password, when it cannot connect', async function () {
    await assert.rejects(
      openDatabase({ url: 'postgres://desk:hunter2@127.0.0.1:1/desk' }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /^Could not open database postgres:\/\/desk@127\.0\.0\.1:1\/desk: /);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
  });
});
