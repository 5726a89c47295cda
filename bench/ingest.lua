-- The webhook ingest mix, one new body per request: half JSON stream events with products and a public
-- IP for GeoIP to place, a quarter form-encoded stream events, a quarter conversions. Every email is new
-- (run tag, thread, counter), so nothing is deduplicated and every accepted request must store one row.
-- Usage: wrk -s bench/ingest.lua http://host:port -- <stream path> <conversion path> <run tag>
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local FIRST = {"john", "maria", "wei", "fatima", "lucas", "aiko", "olga", "diego", "emma", "noah", "priya", "omar"}
local LAST = {"smith", "garcia", "chen", "khan", "silva", "tanaka", "ivanova", "lopez", "brown", "muller"}
local PRODUCTS = {
  {"Sneakers", 89.0}, {"T-Shirt", 19.5}, {"Hoodie", 49.0}, {"Cap", 15.0}, {"Backpack", 64.9},
  {"Water Bottle", 12.0}, {"Sunglasses", 120.0}, {"Socks (3 pairs)", 9.99},
}
-- First octets of public, widely allocated IPv4 space, so nearly every address has a place in DB-IP.
local OCTETS = {8, 24, 31, 45, 62, 66, 73, 77, 81, 89, 92, 98, 101, 110, 121, 151, 173, 185, 188, 203, 212}

local JSON_HEADERS = {["Content-Type"] = "application/json"}
local FORM_HEADERS = {["Content-Type"] = "application/x-www-form-urlencoded"}

function init(args)
  stream_path, conversion_path, tag = args[1], args[2], args[3] or "r"
  counter = 0
  math.randomseed(tid * 7919 + os.time())
end

local function pick(list)
  return list[math.random(#list)]
end

local function email()
  return string.format("%s.%s.%st%dn%d@example.com", pick(FIRST), pick(LAST), tag, tid, counter)
end

local function ip()
  return string.format("%d.%d.%d.%d", pick(OCTETS), math.random(0, 255), math.random(0, 255), math.random(1, 254))
end

local function product_json(i)
  local p = pick(PRODUCTS)
  return string.format(
    '{"name": "%s", "link": "https://shop.example.com/p/%d", "image": "https://shop.example.com/i/%d.jpg", '
      .. '"price": %.2f, "quantity": %d}', p[1], i, i, p[2], math.random(1, 3))
end

local function json_event()
  local n = math.random(1, 3)
  local products = {}
  for i = 1, n do products[i] = product_json(math.random(1, 500)) end
  return wrk.format("POST", stream_path, JSON_HEADERS, string.format(
    '{"email": "%s", "ip": "%s", "products": [%s], "currency": "USD"}', email(), ip(), table.concat(products, ", ")))
end

local function form_event()
  local p = pick(PRODUCTS)
  return wrk.format("POST", stream_path, FORM_HEADERS, string.format(
    "email=%s&ip=%s&products[0][name]=%s&products[0][link]=https%%3A%%2F%%2Fshop.example.com%%2Fp%%2F%d"
      .. "&products[0][price]=%.2f", email(), ip(), p[1]:gsub("[^%w]", function(c)
        return string.format("%%%02X", string.byte(c)) end), math.random(1, 500), p[2]))
end

local function conversion()
  return wrk.format("POST", conversion_path, JSON_HEADERS, string.format('{"email": "%s"}', email()))
end

function request()
  count_sent()
  counter = counter + 1
  local kind = counter % 4
  if kind == 0 then return form_event() end
  if kind == 1 then return conversion() end
  return json_event()
end
