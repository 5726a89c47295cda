-- Feed reads: the same GET again and again, with If-None-Match when an ETag is given (the 304 path).
-- Usage: wrk -s bench/feed.lua http://host:port -- <path> [etag]
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

function init(args)
  local headers = {}
  if args[2] and args[2] ~= "" then headers["If-None-Match"] = args[2] end
  prepared = wrk.format("GET", args[1], headers)
end

function request()
  count_sent()
  return prepared
end
