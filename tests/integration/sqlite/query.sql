SELECT k, count(*) AS n, round(sum(x), 3) AS sx FROM t WHERE k < 6 GROUP BY k ORDER BY k;
SELECT label, n, printf('%.4f', sx) AS sx FROM v ORDER BY sx DESC LIMIT 5;
SELECT name FROM t WHERE k = 17 ORDER BY name LIMIT 3;
SELECT printf('%.6f', sqrt(avg(x * x) - avg(x) * avg(x))) AS stdev FROM t;
SELECT group_concat(substr(name, 5), ',') AS tail FROM (SELECT name FROM t ORDER BY x DESC LIMIT 5);
SELECT typeof(x), typeof(k), typeof(b), quote(b) FROM t WHERE id = 12;
SELECT k, n FROM (SELECT k, count(*) AS n, row_number() OVER (ORDER BY count(*) DESC, k) AS r
                  FROM t GROUP BY k) WHERE r <= 3;
SELECT count(*) FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.k > b.k;
SELECT 1e308 * 10, -0.0, 1.0 / 3, 9223372036854775807 + 1, 7 / 2, 7 % -3, abs(-5.5);
