import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry } from '../src/schema-registry.ts';

function registryWith(sql: string): SchemaRegistry {
  const registry = new SchemaRegistry();
  registry.apply(sql, 'app');
  return registry;
}

const columns = (registry: SchemaRegistry, table = 't') => registry.get('app', table)!.columns.map((c) => `${c.name} ${c.type}${c.charset ? ` [${c.charset}]` : ''}`);

test('CREATE TABLE: types, synonyms, charsets, enum members and the primary key', () => {
  const registry = registryWith(`CREATE TABLE IF NOT EXISTS \`app\`.\`t\` (
    id BIGINT(20) UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'the, key',
    flag BOOLEAN DEFAULT TRUE, amount NUMERIC(12,3), ratio DOUBLE PRECISION,
    name VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL, note TEXT COLLATE utf8mb4_bin,
    kind ENUM('a','b,c','it''s') DEFAULT 'a', raw VARBINARY(16), doc JSON, at DATETIME(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id), KEY by_name (name(10)), CONSTRAINT fk FOREIGN KEY (id) REFERENCES other (id)
  ) ENGINE=InnoDB /*!40101 DEFAULT CHARSET=utf8mb3 */`);
  assert.deepEqual(columns(registry), [
    'id bigint(20) unsigned', 'flag tinyint(1)', 'amount decimal(12,3)', 'ratio double', 'name varchar(20) [latin1]',
    "note text [utf8mb4]", "kind enum('a','b,c','it''s') [utf8]", 'raw varbinary(16)', 'doc json [utf8mb4]', 'at datetime(6)',
  ]);
  assert.deepEqual(registry.get('app', 't')!.columns[6]!.values, ['a', 'b,c', "it's"]);
  assert.deepEqual(registry.get('app', 't')!.primaryKey, ['id']);
});

test('ALTER TABLE: ADD (FIRST/AFTER), DROP, MODIFY, CHANGE, RENAME COLUMN, primary key changes', () => {
  const registry = registryWith('CREATE TABLE t (a INT PRIMARY KEY, b INT, c INT)');
  registry.apply('ALTER TABLE t ADD COLUMN z INT FIRST, ADD y VARCHAR(5) AFTER a, DROP COLUMN b, MODIFY c BIGINT UNSIGNED', 'app');
  assert.deepEqual(columns(registry), ['z int', 'a int', 'y varchar(5) [utf8mb4]', 'c bigint unsigned']);
  registry.apply('ALTER TABLE app.t CHANGE COLUMN a aa INT NOT NULL, RENAME COLUMN y TO yy, ADD (p INT, q INT)', 'other');
  assert.deepEqual(columns(registry), ['z int', 'aa int', 'yy varchar(5) [utf8mb4]', 'c bigint unsigned', 'p int', 'q int']);
  assert.deepEqual(registry.get('app', 't')!.primaryKey, ['aa']);
  registry.apply('ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (z, c)', 'app');
  assert.deepEqual(registry.get('app', 't')!.primaryKey, ['z', 'c']);
  registry.apply('ALTER TABLE t ADD INDEX i (c), DROP INDEX i, ALGORITHM=INPLACE', 'app');
  assert.equal(columns(registry).length, 6);
});

test('RENAME, DROP, TRUNCATE and statements that are not DDL', () => {
  const registry = registryWith('CREATE TABLE t (a INT)');
  const renamed = registry.apply('RENAME TABLE t TO u', 'app');
  assert.deepEqual(renamed.dropped, ['app.t']);
  assert.equal(registry.get('app', 'u')!.columns[0]!.name, 'a');
  registry.apply('ALTER TABLE u RENAME TO app.v', 'app');
  assert.ok(registry.get('app', 'v'));
  assert.deepEqual(registry.apply('TRUNCATE TABLE v', 'app').truncated, ['app.v']);
  assert.deepEqual(registry.apply('DROP TABLE IF EXISTS v, missing', 'app').dropped, ['app.v']);
  assert.equal(registry.tables.size, 0);
  assert.equal(registry.apply('BEGIN', 'app').isDdl, false);
  assert.equal(registry.apply('SAVEPOINT s1', 'app').isDdl, false);
});

test('CREATE TABLE LIKE and CONVERT TO CHARACTER SET', () => {
  const registry = registryWith("CREATE TABLE t (a VARCHAR(3), b BLOB) CHARSET latin1");
  registry.apply('CREATE TABLE u LIKE t', 'app');
  assert.deepEqual(columns(registry, 'u'), ['a varchar(3) [latin1]', 'b blob']);
  registry.apply('ALTER TABLE u CONVERT TO CHARACTER SET utf8mb4', 'app');
  assert.deepEqual(columns(registry, 'u'), ['a varchar(3) [utf8mb4]', 'b blob']);
});
