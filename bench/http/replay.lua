-- wrk script: replays pre-signed requests, one per line of the file given after `--`
-- (each line a JSON string holding the raw HTTP/1.1 request). Every wrk thread takes its
-- own share of the lines, so no request (and no SignatureNonce) is sent twice.
--   wrk -t2 -c64 -d8s -s replay.lua http://127.0.0.1:PORT/ -- FILE THREADS [cycle]
-- With `cycle` (for a server that checks no signature) a thread that runs out starts over.
local count = 0
function setup(thread)
  count = count + 1
  thread:set("index", count)
end

local function unescape(line)
  local s = line:sub(2, -2)
  s = s:gsub('\\(.)', { r = '\r', n = '\n', ['"'] = '"', ['\\'] = '\\' })
  return s
end

function init(args)
  local file, threads = args[1], tonumber(args[2])
  cycle = args[3] == "cycle"
  lines, next_line = {}, 0
  local n = 0
  for line in io.lines(file) do
    if n % threads == index - 1 then lines[#lines + 1] = unescape(line) end
    n = n + 1
  end
end

function request()
  next_line = next_line + 1
  if next_line > #lines and cycle then next_line = 1 end
  if next_line > #lines then
    -- Out of unique requests: stop this thread rather than replay a nonce.
    wrk.thread:stop()
    return lines[#lines]
  end
  return lines[next_line]
end
