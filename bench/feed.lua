-- Feed reads: the same GET again and again; with an ETag given, with If-None-Match (the 304 path).
-- Like a browser, a thread that gets a 200 with a new ETag (the feed's minute turned) revalidates with it next.
-- Usage: wrk -s bench/feed.lua http://host:port -- <path> [etag]
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local count_status = response

function init(args)
  path = args[1]
  etag = args[2] ~= "" and args[2] or nil
  prepare()
end

function prepare()
  local headers = {}
  if etag then headers["If-None-Match"] = etag end
  prepared = wrk.format("GET", path, headers)
end

function request()
  count_sent()
  return prepared
end

function response(status, headers, body)
  count_status(status, headers, body)
  local fresh = headers["ETag"] or headers["etag"]
  if etag and status == 200 and fresh and fresh ~= etag then
    etag = fresh
    prepare()
  end
end
