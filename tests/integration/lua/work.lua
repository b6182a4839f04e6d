-- Table-, string- and closure-heavy Lua work with deterministic output.
local n = tonumber(arg[1]) or 100

-- A pseudo-random generator of our own (math.random's seed differs by build).
local seed = 12345
local function rnd(m)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % m
end

-- Tables: build, sort with a comparator, count words.
local words, counts = {}, {}
for i = 1, n * 50 do
  local w = string.char(97 + rnd(26), 97 + rnd(26), 97 + rnd(5))
  words[#words + 1] = w
  counts[w] = (counts[w] or 0) + 1
end
table.sort(words, function(a, b) return a > b end)
local keys = {}
for k in pairs(counts) do keys[#keys + 1] = k end
table.sort(keys, function(a, b)
  if counts[a] ~= counts[b] then return counts[a] > counts[b] end
  return a < b
end)
print("words", #words, "distinct", #keys, "top", keys[1], counts[keys[1]],
      "first", words[1], "last", words[#words])

-- Strings: gsub with patterns, formatting, concatenation, byte sums.
local parts = {}
for i = 1, n do
  parts[#parts + 1] = string.format("%05d:%x:%-4s|", i * 37 % 1000, i, words[i])
end
local s = table.concat(parts)
local replaced, count = s:gsub("(%d+):(%x+)", "%2=%1")
local sum = 0
for i = 1, #replaced, 7 do sum = sum + replaced:byte(i) end
print("string", #s, count, sum, replaced:sub(1, 40))
print("upper", ("hello world"):upper(), ("%q"):format("a\nb\"c"), ("x"):rep(5, "-"))
print("find", s:find("100:"), s:match("(%d+):64"), select("#", s:byte(1, 10)))

-- Closures and upvalues.
local function counter()
  local c = 0
  return function(k) c = c + k; return c end
end
local c1, c2 = counter(), counter()
for i = 1, n do c1(i); c2(i * i) end
print("closures", c1(0), c2(0))

-- Coroutines: a generator of Fibonacci numbers.
local fib = coroutine.wrap(function()
  local a, b = 0, 1
  while true do coroutine.yield(a); a, b = b, a + b end
end)
local fs = {}
for i = 1, 30 do fs[i] = fib() end
print("coroutine", fs[10], fs[20], fs[30])

-- Integers and floats.
print("ints", 7 // 2, -7 // 2, 7 % -3, 1 << 40, math.maxinteger, math.mininteger // -1)
print("floats", 7 / 2, 2^53 + 1, 0.1 + 0.2, string.format("%.17g", math.pi),
      math.floor(-3.5), math.fmod(-7, 3), math.huge, -math.huge, 0/0 ~= 0/0)
print("math", string.format("%.12f %.12f %.12f %.12f", math.sin(1), math.exp(1),
      math.log(10), math.sqrt(2)), math.tointeger(3.0), math.type(1), math.type(1.0))
print("tostring", 1e15, 1e16, 123456789012, -0.0, 1/3, 100 * 1.1)

-- string.pack and utf8.
local packed = string.pack("<i4 d s1", -2, 1.5, "hi")
print("pack", #packed, string.unpack("<i4 d s1", packed))
print("utf8", utf8.len("h\u{e9}llo"), utf8.char(72, 233, 8364), utf8.codepoint("\u{20ac}"))

-- Errors caught with pcall; error objects; xpcall with a traceback handler.
print("pcall", select(2, pcall(function() error({code = 42}) end)).code)
print("pcall2", pcall(function() local t = nil; return t.x end))
print("xpcall", xpcall(function() error("deep", 0) end, function(m) return "handled: " .. m end))

-- Files: write, read back, seek.
local f = assert(io.open("lua-out.txt", "w"))
for i = 1, n do f:write(i, " ", words[i], "\n") end
f:close()
f = assert(io.open("lua-out.txt", "r"))
local lines = 0
for _ in f:lines() do lines = lines + 1 end
print("file", lines, f:seek("end"))
f:close()
print("missing", io.open("no/such/file"))
print("gc", collectgarbage("count") > 0, #os.tmpname() > 0)
