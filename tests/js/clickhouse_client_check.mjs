// The official ClickHouse Node.js client (@clickhouse/client) against a ClickHouse HTTP interface:
//   node tests/js/clickhouse_client_check.mjs http://127.0.0.1:PORT
// Exit 0 when every check passes; otherwise each failure is printed on stderr and the exit code
// is 1. Run by tests/cli/clickhouse_http_test.cpp against a real `shoplake up`.
import assert from 'node:assert/strict';
import { createClient, ClickHouseError, ClickHouseLogLevel } from '@clickhouse/client';

const url = process.argv[2];
if (!url) {
  console.error('usage: node clickhouse_client_check.mjs http://127.0.0.1:PORT');
  process.exit(2);
}

// The client's own error log would repeat every expected failure; the checks report them.
const client = createClient({ url, request_timeout: 60_000, log: { level: ClickHouseLogLevel.OFF } });
const failures = [];

async function check(name, body) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (error) {
    failures.push(name);
    console.error(`FAIL ${name}: ${error?.stack ?? error}`);
  }
}

// The error a query fails with, or an assertion failure if it does not fail.
async function failureOf(query, options = {}) {
  try {
    const result = await client.query({ query, format: 'JSONEachRow', ...options });
    const rows = await result.json();
    assert.fail(`expected ${query} to fail, got ${JSON.stringify(rows)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return error;
  }
}

await check('ping', async () => {
  const answer = await client.ping();
  assert.equal(answer.success, true, `ping failed: ${answer.error}`);
});

await check('JSONEachRow rows and values', async () => {
  const result = await client.query({
    query:
      "SELECT toUInt32(number) AS n, toString(number * 10) AS s, 'a\\tb' AS t " +
      'FROM numbers(3) ORDER BY n',
    format: 'JSONEachRow',
  });
  assert.deepEqual(await result.json(), [
    { n: 0, s: '0', t: 'a\tb' },
    { n: 1, s: '10', t: 'a\tb' },
    { n: 2, s: '20', t: 'a\tb' },
  ]);
  assert.match(result.query_id, /^[0-9a-f-]{36}$/);
});

await check('JSON meta, data, rows, statistics; UInt64 quoted as ClickHouse does', async () => {
  const result = await client.query({
    query: 'SELECT toUInt64(number) AS big, toFloat64(number) / 4 AS quarter FROM numbers(2)',
    format: 'JSON',
  });
  const document = await result.json();
  assert.deepEqual(document.meta, [
    { name: 'big', type: 'UInt64' },
    { name: 'quarter', type: 'Float64' },
  ]);
  assert.deepEqual(document.data, [
    { big: '0', quarter: 0 },
    { big: '1', quarter: 0.25 },
  ]);
  assert.equal(document.rows, 2);
  assert.equal(typeof document.statistics?.elapsed, 'number');
  assert.equal(typeof document.statistics?.rows_read, 'number');
});

await check('stream 100000 rows', async () => {
  const result = await client.query({
    query: 'SELECT number FROM numbers(100000)',
    format: 'JSONEachRow',
  });
  let count = 0;
  let sum = 0n;
  let chunks = 0;
  for await (const rows of result.stream()) {
    chunks += 1;
    for (const row of rows) {
      count += 1;
      sum += BigInt(row.json().number);
    }
  }
  assert.equal(count, 100000);
  assert.equal(sum, 4999950000n);
  assert.ok(chunks > 1, `expected the result in several chunks, got ${chunks}`);
});

await check('unknown table: code and type parsed', async () => {
  const error = await failureOf('SELECT * FROM no_such_table_here');
  assert.ok(error instanceof ClickHouseError, `not a ClickHouseError: ${error}`);
  assert.equal(error.code, '60');
  assert.equal(error.type, 'UNKNOWN_TABLE');
});

await check('syntax error: code and type parsed', async () => {
  const error = await failureOf('SELECT FROM WHERE');
  assert.ok(error instanceof ClickHouseError, `not a ClickHouseError: ${error}`);
  assert.equal(error.code, '62');
  assert.equal(error.type, 'SYNTAX_ERROR');
});

await check('read-only: code and type parsed', async () => {
  const error = await failureOf('DROP TABLE IF EXISTS anything', { format: undefined });
  assert.ok(error instanceof ClickHouseError, `not a ClickHouseError: ${error}`);
  assert.equal(error.code, '164');
  assert.equal(error.type, 'READONLY');
});

await check('query_params sent as param_x', async () => {
  const text = "it's\ta {not:String} \\ test\n";
  const result = await client.query({
    query:
      "SELECT {n:UInt32} AS n, {s:String} AS text, {a:Array(UInt8)} AS list, " +
      "'{n:UInt32}' AS literal, {missing_value:Nullable(String)} AS nothing",
    format: 'JSONEachRow',
    query_params: { n: 41, s: text, a: [1, 2, 3], missing_value: null },
  });
  assert.deepEqual(await result.json(), [
    { n: 41, text, list: [1, 2, 3], literal: '{n:UInt32}', nothing: null },
  ]);
});

await check('a query parameter cannot end its string literal', async () => {
  const result = await client.query({
    query: 'SELECT {s:String} AS s',
    format: 'JSONEachRow',
    query_params: { s: "\\' AS s, (SELECT 'injected') AS t --" },
  });
  assert.deepEqual(await result.json(), [{ s: "\\' AS s, (SELECT 'injected') AS t --" }]);
});

await check('a missing query parameter is a clear error', async () => {
  const error = await failureOf('SELECT {missing:UInt32} AS x');
  assert.ok(error instanceof ClickHouseError, `not a ClickHouseError: ${error}`);
  assert.equal(error.code, '456');
  assert.equal(error.type, 'UNKNOWN_QUERY_PARAMETER');
  assert.match(error.message, /missing/);
});

await client.close();
if (failures.length > 0) {
  console.error(`${failures.length} check(s) failed: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('all checks passed');
