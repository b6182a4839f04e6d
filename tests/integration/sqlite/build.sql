-- 50k rows built with a recursive CTE, an index, a second table and a view.
PRAGMA journal_mode = DELETE;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, name TEXT, x REAL, b BLOB);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50000)
INSERT INTO t SELECT i, (i * 7919) % 1000, printf('name%05d', (i * 31) % 50000),
                     i * 0.25 - 1000.5, zeroblob(i % 7) FROM c;
CREATE INDEX t_k ON t(k);
CREATE TABLE cat(k INTEGER PRIMARY KEY, label TEXT);
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 999)
INSERT INTO cat SELECT i, 'cat-' || hex(i * 2654435761 % 65536) FROM c;
CREATE VIEW v AS SELECT cat.label, count(*) AS n, sum(t.x) AS sx
                 FROM t JOIN cat USING (k) GROUP BY t.k;
BEGIN;
UPDATE t SET x = x * 2 WHERE k % 10 = 3;
DELETE FROM t WHERE id % 97 = 0;
COMMIT;
SELECT count(*), sum(k), round(avg(x), 6), min(name), max(name), sum(length(b)) FROM t;
